using VmNet.ModelFormat;

namespace VmNet.Training;

/// <summary>
/// Per-dimension mean and standard deviation of the training split's raw features. Stored with the model and
/// applied inside the exported ONNX graph; a zero std counts as 1 (<see cref="BranchGraph.EffectiveStd"/>).
/// </summary>
public sealed record FeatureNormalizer(float[] Mean, float[] Std)
{
    public int Dim => Mean.Length;

    public static FeatureNormalizer Fit(float[] rows, int dim)
    {
        var n = rows.Length / dim;
        var mean = new double[dim];
        var squares = new double[dim];
        for (var r = 0; r < n; r++)
        {
            for (var c = 0; c < dim; c++)
            {
                double v = rows[(r * dim) + c];
                mean[c] += v;
                squares[c] += v * v;
            }
        }

        var m = new float[dim];
        var s = new float[dim];
        for (var c = 0; c < dim; c++)
        {
            var mu = mean[c] / n;
            m[c] = (float)mu;
            s[c] = (float)Math.Sqrt(Math.Max(0, (squares[c] / n) - (mu * mu)));
        }

        return new FeatureNormalizer(m, s);
    }

    public float[] Apply(float[] rows)
    {
        var dim = Dim;
        var std = Std.Select(BranchGraph.EffectiveStd).ToArray();
        var result = new float[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var c = i % dim;
            result[i] = (rows[i] - Mean[c]) / std[c];
        }

        return result;
    }
}
