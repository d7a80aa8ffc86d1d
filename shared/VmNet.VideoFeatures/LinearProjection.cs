using MathNet.Numerics.LinearAlgebra;

namespace VmNet.VideoFeatures;

/// <summary>
/// y = (x − Mean)·Matrix, with Matrix [InputDimension × OutputDimension] row-major: a fitted PCA, whitened or not.
/// </summary>
public sealed record LinearProjection(float[] Mean, float[] Matrix, int InputDimension, int OutputDimension)
{
    public float[] Apply(ReadOnlySpan<float> x)
    {
        if (x.Length != InputDimension)
        {
            throw new ArgumentException($"expected {InputDimension} values, got {x.Length}", nameof(x));
        }

        var y = new double[OutputDimension];
        for (var i = 0; i < InputDimension; i++)
        {
            var centred = (double)x[i] - Mean[i];
            var row = Matrix.AsSpan(i * OutputDimension, OutputDimension);
            for (var j = 0; j < OutputDimension; j++)
            {
                y[j] += centred * row[j];
            }
        }

        return Array.ConvertAll(y, v => (float)v);
    }

    /// <summary>Projects <paramref name="count"/> row-major rows.</summary>
    public float[] ApplyRows(ReadOnlySpan<float> rows, int count)
    {
        var result = new float[count * OutputDimension];
        for (var r = 0; r < count; r++)
        {
            Apply(rows.Slice(r * InputDimension, InputDimension)).CopyTo(result, r * OutputDimension);
        }

        return result;
    }

    /// <summary>
    /// PCA from a covariance accumulated elsewhere: the top <paramref name="components"/> eigenvectors (fewer where
    /// the data has lower rank). <paramref name="whiten"/> scales each by 1/√(λ + ε), ε = 1e-4·λ₁, so that
    /// near-null directions are not blown up.
    /// </summary>
    public static LinearProjection FromCovariance(double[] mean, Matrix<double> covariance, long samples, int components, bool whiten)
    {
        var d = mean.Length;
        var evd = covariance.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(c => c.Real).ToArray();
        var order = Enumerable.Range(0, d).OrderByDescending(i => values[i]).ToArray();
        var vectors = Enumerable.Range(0, d).Select(k => evd.EigenVectors.Column(order[k])).ToList();
        return Build(mean, values.Select((_, k) => values[order[k]]).ToArray(), vectors, samples, components, whiten);
    }

    /// <summary>PCA of in-memory rows ([count × dimension]); uses the count×count Gram matrix when there are fewer rows than dimensions.</summary>
    public static LinearProjection FromRows(IReadOnlyList<float[]> rows, int components, bool whiten)
    {
        var n = rows.Count;
        if (n < 2)
        {
            throw new ArgumentException("a PCA needs at least two samples", nameof(rows));
        }

        var d = rows[0].Length;
        var mean = new double[d];
        foreach (var row in rows)
        {
            for (var j = 0; j < d; j++)
            {
                mean[j] += row[j] / (double)n;
            }
        }

        var x = Matrix<double>.Build.Dense(n, d, (i, j) => rows[i][j] - mean[j]);
        if (n >= d)
        {
            return FromCovariance(mean, x.TransposeThisAndMultiply(x) / (n - 1), n, components, whiten);
        }

        // X = U S Vᵀ: the Gram matrix X Xᵀ = U S² Uᵀ is small, and v = Xᵀu / s.
        var evd = (x * x.Transpose()).Evd(Symmetricity.Symmetric);
        var gram = evd.EigenValues.Select(c => c.Real).ToArray();
        var order = Enumerable.Range(0, n).OrderByDescending(i => gram[i]).ToArray();
        var values = new double[n];
        var vectors = new List<Vector<double>>(n);
        for (var k = 0; k < n; k++)
        {
            var s2 = Math.Max(gram[order[k]], 0);
            values[k] = s2 / (n - 1);
            var v = x.TransposeThisAndMultiply(evd.EigenVectors.Column(order[k]));
            vectors.Add(s2 > 0 ? v / Math.Sqrt(s2) : v * 0);
        }

        return Build(mean, values, vectors, n, components, whiten);
    }

    private static LinearProjection Build(double[] mean, double[] values, IReadOnlyList<Vector<double>> vectors, long samples, int components, bool whiten)
    {
        var d = mean.Length;
        var top = Math.Max(values[0], 0);
        // Rank: at most samples − 1 directions carry variance; drop the numerically empty ones.
        var rank = values.TakeWhile(v => v > top * 1e-9).Count();
        var k = (int)Math.Min(Math.Min(components, d), Math.Min(samples - 1, rank));
        if (k < 1)
        {
            throw new InvalidOperationException("the data has no variance to fit a PCA on");
        }

        var epsilon = 1e-4 * top;
        var matrix = new float[d * k];
        for (var c = 0; c < k; c++)
        {
            var v = vectors[c];
            // Eigenvectors have no sign of their own: make the largest entry positive so a refit is reproducible.
            var sign = v[v.AbsoluteMaximumIndex()] < 0 ? -1.0 : 1.0;
            var scale = sign * (whiten ? 1 / Math.Sqrt(values[c] + epsilon) : 1);
            for (var i = 0; i < d; i++)
            {
                matrix[(i * k) + c] = (float)(v[i] * scale);
            }
        }

        return new LinearProjection(Array.ConvertAll(mean, m => (float)m), matrix, d, k);
    }
}
