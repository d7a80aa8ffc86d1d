using TorchSharp;
using TorchSharp.Modules;
using VmNet.ModelFormat;
using static TorchSharp.torch;

namespace VmNet.Training;

/// <summary>
/// One branch: (FC → ReLU → dropout) per hidden width, then FC to the embedding, batch norm, L2 normalisation.
/// Takes normalised features; the normaliser is applied outside so the exported graph can fold it in.
/// </summary>
public sealed class EmbeddingBranch : nn.Module<Tensor, Tensor>
{
    /// <summary>Batch norm as in the reference (TensorFlow decay 0.99 = torch momentum 0.01, ε 1e-3).</summary>
    public const double BatchNormEpsilon = 1e-3;

    private readonly ModuleList<Linear> _hidden;
    private readonly Linear _output;
    private readonly BatchNorm1d _norm;
    private readonly Dropout _dropout;

    public EmbeddingBranch(string name, int inputDim, IReadOnlyList<int> hidden, int embeddingDim, double dropout)
        : base(name)
    {
        var widths = new List<int> { inputDim };
        widths.AddRange(hidden);
        _hidden = new ModuleList<Linear>([.. Enumerable.Range(0, hidden.Count).Select(i => nn.Linear(widths[i], widths[i + 1]))]);
        _output = nn.Linear(widths[^1], embeddingDim);
        _norm = nn.BatchNorm1d(embeddingDim, eps: BatchNormEpsilon, momentum: 0.01);
        _dropout = nn.Dropout(dropout);
        RegisterComponents();
        InitialiseLikeReference();
    }

    public int InputDim => (int)(_hidden.Count > 0 ? _hidden[0].in_features : _output.in_features);

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var layer in _hidden)
        {
            x = _dropout.forward(nn.functional.relu(layer.forward(x)));
        }

        x = _norm.forward(_output.forward(x));
        return nn.functional.normalize(x, p: 2, dim: 1, eps: BranchGraph.L2Epsilon).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The branch in eval mode as a <see cref="BranchGraph"/>: normaliser, the fixed input projection (a linear
    /// layer) when there is one, dense layers, folded batch norm, L2.
    /// </summary>
    public BranchGraph ToGraph(FeatureNormalizer normalizer, InputProjection? projection = null)
    {
        var layers = _hidden.Select(l => Dense(l, relu: true)).Append(Dense(_output, relu: false)).ToList();
        if (projection is not null)
        {
            layers.Insert(0, projection.ToLayer());
        }

        var gamma = Values(_norm.weight!);
        var beta = Values(_norm.bias!);
        var mean = Values(_norm.running_mean!);
        var variance = Values(_norm.running_var!);
        var scale = new float[gamma.Length];
        var shift = new float[gamma.Length];
        for (var i = 0; i < gamma.Length; i++)
        {
            scale[i] = (float)(gamma[i] / Math.Sqrt(variance[i] + BatchNormEpsilon));
            shift[i] = beta[i] - (mean[i] * scale[i]);
        }

        return new BranchGraph(normalizer.Mean, normalizer.Std, layers, scale, shift);
    }

    private static DenseLayer Dense(Linear layer, bool relu) =>
        new((int)layer.in_features, (int)layer.out_features, Values(layer.weight!), Values(layer.bias!), relu);

    private static float[] Values(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous();
        return cpu.data<float>().ToArray();
    }

    // He-normal weights and zero biases, as the reference's "xavier2" initialiser.
    private void InitialiseLikeReference()
    {
        using var noGrad = no_grad();
        foreach (var layer in _hidden.Append(_output))
        {
            nn.init.normal_(layer.weight!, 0, Math.Sqrt(2.0 / layer.in_features));
            nn.init.zeros_(layer.bias!);
        }
    }
}

/// <summary>VM-NET's two branches into one embedding space.</summary>
public sealed class VmNetNetwork : nn.Module
{
    // Field names become the state-dict keys.
#pragma warning disable IDE1006, SA1300
    private readonly EmbeddingBranch music;
    private readonly EmbeddingBranch video;
#pragma warning restore IDE1006, SA1300

    public VmNetNetwork(int musicDim, int videoDim, TrainingOptions options)
        : base("vmnet")
    {
        music = new EmbeddingBranch("music", musicDim, options.MusicHidden, options.EmbeddingDim, options.Dropout);
        video = new EmbeddingBranch("video", videoDim, options.VideoHidden, options.EmbeddingDim, options.Dropout);
        RegisterComponents();
    }

    public EmbeddingBranch Music => music;

    public EmbeddingBranch Video => video;
}
