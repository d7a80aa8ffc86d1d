using TorchSharp;
using TorchSharp.Modules;
using VmNet.ModelFormat;
using static TorchSharp.torch;

namespace VmNet.Training;

/// <summary>
/// One branch. The paper's: (FC → ReLU → dropout) per hidden width, then FC to the embedding, batch norm, L2
/// normalisation. From CCA (<see cref="InitMode.Cca"/>): a linear skip FC that starts as the identity onto the
/// leading <c>CcaComponents</c> inputs, plus the same hidden MLP whose last FC starts at zero, then L2 — no batch norm,
/// which would rescale each canonical variate by batch statistics in training and by running ones in eval, so the
/// untrained branch would not be CCA. Takes normalised (and projected) features; the normaliser is applied outside so
/// the exported graph can fold it in.
/// </summary>
public sealed class EmbeddingBranch : nn.Module<Tensor, Tensor>
{
    /// <summary>Batch norm as in the reference (TensorFlow decay 0.99 = torch momentum 0.01, ε 1e-3).</summary>
    public const double BatchNormEpsilon = 1e-3;

    private readonly ModuleList<Linear> _hidden;
    private readonly Linear? _output;
    private readonly Linear? _skip;
    private readonly BatchNorm1d? _norm;
    private readonly Dropout _dropout;

    public EmbeddingBranch(string name, int inputDim, IReadOnlyList<int> hidden, int embeddingDim, double dropout)
        : this(name, inputDim, hidden, embeddingDim, dropout, identityComponents: 0)
    {
    }

    /// <param name="identityComponents">0: the paper's branch. Otherwise the residual branch from CCA, whose skip maps
    /// input i to output i for the first <paramref name="identityComponents"/> inputs and everything else to 0.</param>
    public EmbeddingBranch(string name, int inputDim, IReadOnlyList<int> hidden, int embeddingDim, double dropout, int identityComponents)
        : base(name)
    {
        var widths = new List<int> { inputDim };
        widths.AddRange(hidden);
        _hidden = new ModuleList<Linear>([.. Enumerable.Range(0, hidden.Count).Select(i => nn.Linear(widths[i], widths[i + 1]))]);
        _dropout = nn.Dropout(dropout);
        if (identityComponents > 0)
        {
            _skip = nn.Linear(inputDim, embeddingDim);
            _output = hidden.Count > 0 ? nn.Linear(widths[^1], embeddingDim) : null;
        }
        else
        {
            _output = nn.Linear(widths[^1], embeddingDim);
            _norm = nn.BatchNorm1d(embeddingDim, eps: BatchNormEpsilon, momentum: 0.01);
        }

        RegisterComponents();
        InitialiseLikeReference();
        if (_skip is not null)
        {
            StartAtIdentity(Math.Min(identityComponents, Math.Min(inputDim, embeddingDim)));
        }
    }

    public int InputDim => (int)(_skip?.in_features ?? (_hidden.Count > 0 ? _hidden[0].in_features : _output!.in_features));

    /// <summary>True for the residual branch that starts from CCA.</summary>
    public bool Residual => _skip is not null;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var layer in _hidden)
        {
            x = _dropout.forward(nn.functional.relu(layer.forward(x)));
        }

        if (_skip is not null)
        {
            x = _output is null ? _skip.forward(input) : _skip.forward(input) + _output.forward(x);
        }
        else
        {
            x = _norm!.forward(_output!.forward(x));
        }

        return nn.functional.normalize(x, p: 2, dim: 1, eps: BranchGraph.L2Epsilon).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The branch in eval mode as a <see cref="BranchGraph"/>: normaliser, the fixed input projection (a linear
    /// layer) when there is one, dense layers, folded batch norm, L2. The residual branch becomes plain dense layers:
    /// the input rides through the ReLUs as [relu(x), relu(−x)] beside the MLP's units, and the last layer adds
    /// skip·relu(x) − skip·relu(−x) = skip·x to the MLP's output — exact, no new graph node.
    /// </summary>
    public BranchGraph ToGraph(FeatureNormalizer normalizer, InputProjection? projection = null)
    {
        var layers = _skip is not null ? ResidualLayers() : [.. _hidden.Select(l => Dense(l, relu: true)), Dense(_output!, relu: false)];
        if (projection is not null)
        {
            layers.Insert(0, projection.ToLayer());
        }

        if (_norm is null)
        {
            return new BranchGraph(normalizer.Mean, normalizer.Std, layers, null, null);
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

    private List<DenseLayer> ResidualLayers()
    {
        var skip = Dense(_skip!, relu: false);
        if (_hidden.Count == 0)
        {
            return [skip];
        }

        var k = skip.In;
        var carried = 2 * k;
        var layers = new List<DenseLayer>();
        var width = k;
        for (var h = 0; h < _hidden.Count; h++)
        {
            var inner = Dense(_hidden[h], relu: true);
            // Layer 0 reads x (k wide) and emits [x, −x, W·x + b]; later ones read [x⁺, x⁻, h] and keep x⁺, x⁻.
            var inWidth = h == 0 ? k : carried + width;
            var outWidth = carried + inner.Out;
            var weight = new float[outWidth * inWidth];
            var bias = new float[outWidth];
            for (var i = 0; i < k; i++)
            {
                if (h == 0)
                {
                    weight[(i * inWidth) + i] = 1;
                    weight[((k + i) * inWidth) + i] = -1;
                }
                else
                {
                    weight[(i * inWidth) + i] = 1;
                    weight[((k + i) * inWidth) + k + i] = 1;
                }
            }

            var offset = h == 0 ? 0 : carried;
            for (var o = 0; o < inner.Out; o++)
            {
                Array.Copy(inner.Weight, o * inner.In, weight, ((carried + o) * inWidth) + offset, inner.In);
                bias[carried + o] = inner.Bias[o];
            }

            layers.Add(new DenseLayer(inWidth, outWidth, weight, bias, Relu: true));
            width = inner.Out;
        }

        var output = Dense(_output!, relu: false);
        var lastIn = carried + width;
        var last = new float[output.Out * lastIn];
        var lastBias = new float[output.Out];
        for (var o = 0; o < output.Out; o++)
        {
            for (var i = 0; i < k; i++)
            {
                last[(o * lastIn) + i] = skip.Weight[(o * k) + i];
                last[(o * lastIn) + k + i] = -skip.Weight[(o * k) + i];
            }

            Array.Copy(output.Weight, o * output.In, last, (o * lastIn) + carried, output.In);
            lastBias[o] = skip.Bias[o] + output.Bias[o];
        }

        layers.Add(new DenseLayer(lastIn, output.Out, last, lastBias, Relu: false));
        return layers;
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
        foreach (var layer in _output is null ? _hidden : _hidden.Append(_output))
        {
            nn.init.normal_(layer.weight!, 0, Math.Sqrt(2.0 / layer.in_features));
            nn.init.zeros_(layer.bias!);
        }
    }

    // The CCA start: skip = identity on the leading components, the residual MLP's output exactly zero.
    private void StartAtIdentity(int components)
    {
        using var noGrad = no_grad();
        nn.init.zeros_(_skip!.weight!);
        nn.init.zeros_(_skip.bias!);
        for (var i = 0; i < components; i++)
        {
            _skip.weight![i, i] = 1f;
        }

        if (_output is not null)
        {
            nn.init.zeros_(_output.weight!);
            nn.init.zeros_(_output.bias!);
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
        // From CCA both branches start as the identity onto the same leading canonical components.
        var identity = options.Init == InitMode.Cca ? options.CcaComponents : 0;
        music = new EmbeddingBranch("music", musicDim, options.MusicHidden, options.EmbeddingDim, options.Dropout, identity);
        video = new EmbeddingBranch("video", videoDim, options.VideoHidden, options.EmbeddingDim, options.Dropout, identity);
        RegisterComponents();
    }

    public EmbeddingBranch Music => music;

    public EmbeddingBranch Video => video;
}
