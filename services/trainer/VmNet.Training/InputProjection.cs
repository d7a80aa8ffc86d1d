using MathNet.Numerics.LinearAlgebra;
using VmNet.ModelFormat;

namespace VmNet.Training;

/// <summary>
/// A fixed linear map in front of a branch: the top-d principal directions of the training split's standardised
/// features, optionally whitened (each component divided by its standard deviation). Fitted once before training,
/// never trained; exported as the first, linear dense layer of the branch's graph.
/// </summary>
public sealed class InputProjection
{
    private InputProjection(float[] weight, int inputDim, int outputDim, double[] variances, bool whitened)
    {
        Weight = weight;
        InputDim = inputDim;
        OutputDim = outputDim;
        Variances = variances;
        Whitened = whitened;
    }

    /// <summary>[OutputDim, InputDim] row-major, like <see cref="DenseLayer.Weight"/>.</summary>
    public float[] Weight { get; }

    public int InputDim { get; }

    public int OutputDim { get; }

    /// <summary>Variance of each kept component on the training split, descending.</summary>
    public IReadOnlyList<double> Variances { get; }

    public bool Whitened { get; }

    /// <summary>
    /// Fits on standardised rows (n × p, zero mean per column). d is capped at n − 1 (the rank of centred data);
    /// with fewer rows than columns the directions come from the SVD of the data (<see cref="Pca"/>).
    /// </summary>
    public static InputProjection Fit(float[] standardRows, int p, int dims, bool whiten)
    {
        var data = RowMatrix.Of(standardRows, p);
        var (directions, variances) = Pca.Fit(data, dims);
        var d = directions.ColumnCount;
        // Whitening divides by the component's sd; a floor keeps a near-null last component from blowing up.
        var floor = variances.Length == 0 ? 1e-12 : Math.Max(variances[0] * 1e-6, 1e-12);
        var weight = new float[d * p];
        for (var o = 0; o < d; o++)
        {
            var scale = whiten ? 1 / Math.Sqrt(Math.Max(variances[o], floor)) : 1;
            for (var i = 0; i < p; i++)
            {
                weight[(o * p) + i] = (float)(directions[i, o] * scale);
            }
        }

        return new InputProjection(weight, p, d, variances, whiten);
    }

    /// <summary>
    /// Any fixed linear map of standardised features (p × d, one column per output), e.g. the CCA baseline's;
    /// <see cref="Variances"/> is empty and it counts as not whitened.
    /// </summary>
    internal static InputProjection FromMap(Matrix<double> map)
    {
        var (p, d) = (map.RowCount, map.ColumnCount);
        var weight = new float[d * p];
        for (var o = 0; o < d; o++)
        {
            for (var i = 0; i < p; i++)
            {
                weight[(o * p) + i] = (float)map[i, o];
            }
        }

        return new InputProjection(weight, p, d, [], whitened: false);
    }

    /// <summary>Row-major p-wide rows → row-major d-wide rows.</summary>
    public float[] Apply(float[] rows)
    {
        var n = rows.Length / InputDim;
        var result = new float[n * OutputDim];
        for (var r = 0; r < n; r++)
        {
            var row = rows.AsSpan(r * InputDim, InputDim);
            for (var o = 0; o < OutputDim; o++)
            {
                var w = Weight.AsSpan(o * InputDim, InputDim);
                var sum = 0.0;
                for (var i = 0; i < InputDim; i++)
                {
                    sum += (double)row[i] * w[i];
                }

                result[(r * OutputDim) + o] = (float)sum;
            }
        }

        return result;
    }

    public DenseLayer ToLayer() => new(InputDim, OutputDim, Weight, new float[OutputDim], Relu: false);
}

/// <summary>Principal directions of centred data, shared by the network's input projection and the CCA baseline.</summary>
public static class Pca
{
    /// <summary>
    /// The top-d principal directions (p × d, columns) of centred rows (n × p) and their variances; d is capped at
    /// n − 1 and p. With more rows than columns: eigenvectors of the p × p covariance; otherwise the SVD of the data
    /// itself, whose right singular vectors are the principal directions, without forming a mostly-null p × p covariance.
    /// </summary>
    public static (Matrix<double> Directions, double[] Variances) Fit(Matrix<double> data, int dims)
    {
        var (n, p) = (data.RowCount, data.ColumnCount);
        // Rank of centred data is at most n − 1: more components would be pure numerical noise.
        var d = Math.Min(dims, Math.Min(p, n - 1));
        if (n > p)
        {
            var evd = (data.TransposeThisAndMultiply(data) / (n - 1)).Evd(Symmetricity.Symmetric);
            var order = Enumerable.Range(0, p).OrderByDescending(i => evd.EigenValues[i].Real).Take(d).ToArray();
            return (Matrix<double>.Build.Dense(p, d, (r, c) => evd.EigenVectors[r, order[c]]),
                [.. order.Select(i => Math.Max(0, evd.EigenValues[i].Real))]);
        }

        var svd = data.Svd(computeVectors: true);
        return (svd.VT.SubMatrix(0, d, 0, p).Transpose(), [.. svd.S.Take(d).Select(s => s * s / (n - 1))]);
    }
}
