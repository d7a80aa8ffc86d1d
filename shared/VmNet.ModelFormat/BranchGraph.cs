namespace VmNet.ModelFormat;

/// <summary>y = x·Wᵀ + b; <paramref name="Weight"/> is [Out, In] row-major like <c>torch.nn.Linear.weight</c>.</summary>
public sealed record DenseLayer(int In, int Out, float[] Weight, float[] Bias, bool Relu);

/// <summary>
/// One VM-NET branch: <paramref name="InputMean"/>/<paramref name="InputStd"/> normalise raw features first
/// (a std that is zero or not finite counts as 1, like scikit-learn's StandardScaler, so constant features pass
/// through as zero); then the dense layers; then eval-mode batch norm folded to y = x*Scale + Shift; then L2
/// normalisation (y / max(‖y‖₂, 1e-12), like <c>torch.nn.functional.normalize</c>).
/// </summary>
public sealed record BranchGraph(
    float[] InputMean,
    float[] InputStd,
    IReadOnlyList<DenseLayer> Layers,
    float[]? BatchNormScale,
    float[]? BatchNormShift,
    bool L2Normalize = true)
{
    /// <summary>Smallest norm divided by in the L2 step.</summary>
    public const float L2Epsilon = 1e-12f;

    public int InputDim => InputMean.Length;

    public int OutputDim => Layers.Count > 0 ? Layers[^1].Out : InputDim;

    /// <summary>The std actually divided by: non-positive or non-finite entries become 1.</summary>
    public static float EffectiveStd(float std) => float.IsFinite(std) && std > 0 ? std : 1f;

    /// <summary>Throws <see cref="ArgumentException"/> with the first inconsistency found.</summary>
    public void Validate()
    {
        if (InputMean.Length == 0 || InputStd.Length != InputMean.Length)
        {
            throw new ArgumentException($"InputMean ({InputMean.Length}) and InputStd ({InputStd.Length}) must have the same, non-zero length");
        }

        var width = InputDim;
        for (var i = 0; i < Layers.Count; i++)
        {
            var layer = Layers[i];
            if (layer.In != width || layer.Out <= 0)
            {
                throw new ArgumentException($"layer {i} takes {layer.In} inputs and gives {layer.Out}, but its input is {width} wide");
            }

            if (layer.Weight.Length != layer.In * layer.Out || layer.Bias.Length != layer.Out)
            {
                throw new ArgumentException($"layer {i}: weight has {layer.Weight.Length} values (want {layer.Out}×{layer.In}), bias {layer.Bias.Length} (want {layer.Out})");
            }

            width = layer.Out;
        }

        if ((BatchNormScale is null) != (BatchNormShift is null))
        {
            throw new ArgumentException("BatchNormScale and BatchNormShift go together");
        }

        if (BatchNormScale is not null && (BatchNormScale.Length != width || BatchNormShift!.Length != width))
        {
            throw new ArgumentException($"batch norm has {BatchNormScale.Length}/{BatchNormShift!.Length} values, output is {width} wide");
        }
    }

    /// <summary>The graph evaluated directly for one row: the reference the ONNX file must reproduce.</summary>
    public float[] Evaluate(ReadOnlySpan<float> features)
    {
        if (features.Length != InputDim)
        {
            throw new ArgumentException($"expected {InputDim} features, got {features.Length}");
        }

        var x = new float[InputDim];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (features[i] - InputMean[i]) / EffectiveStd(InputStd[i]);
        }

        foreach (var layer in Layers)
        {
            var y = new float[layer.Out];
            for (var o = 0; o < layer.Out; o++)
            {
                double sum = layer.Bias[o];
                for (var i = 0; i < layer.In; i++)
                {
                    sum += (double)x[i] * layer.Weight[(o * layer.In) + i];
                }

                y[o] = layer.Relu ? MathF.Max(0, (float)sum) : (float)sum;
            }

            x = y;
        }

        if (BatchNormScale is not null)
        {
            for (var i = 0; i < x.Length; i++)
            {
                x[i] = (x[i] * BatchNormScale[i]) + BatchNormShift![i];
            }
        }

        if (L2Normalize)
        {
            var norm = MathF.Max(MathF.Sqrt(x.Sum(v => v * v)), L2Epsilon);
            for (var i = 0; i < x.Length; i++)
            {
                x[i] /= norm;
            }
        }

        return x;
    }
}
