using MathNet.Numerics.LinearAlgebra;

namespace VmNet.Training;

/// <summary>How the linear CCA baseline is fitted (see <see cref="CcaBaseline"/>).</summary>
public sealed record CcaOptions
{
    /// <summary>Principal components kept per modality before CCA (capped at n_train − 1 and at the feature size).</summary>
    public int PcaDims { get; init; } = 32;

    /// <summary>Canonical components kept (capped at the smaller modality's PCA size).</summary>
    public int Components { get; init; } = 16;

    /// <summary>
    /// Ridge on each covariance, as a share of that modality's mean kept variance: Σ + ρ·(tr Σ / d)·I. Relative,
    /// so the same ρ means the same shrinkage whatever the feature scale or the number of components.
    /// </summary>
    public double Regularisation { get; init; } = 0.1;

    public void Validate()
    {
        if (PcaDims < 1 || Components < 1 || Regularisation < 0 || !double.IsFinite(Regularisation))
        {
            throw new ArgumentException($"CCA needs at least 1 PCA dimension and 1 component and a finite ridge ≥ 0 (got {PcaDims}, {Components}, {Regularisation})");
        }
    }
}

/// <summary>
/// The linear baseline every evaluation reports beside the trained network: regularised canonical correlation
/// analysis fitted on the training split's raw features. Per modality: standardise (training mean and std), PCA to
/// d dimensions; then whiten each side with (Σ + r·I)^-1/2, take the SVD of Σxx^-1/2 Σxy Σyy^-1/2 and keep the k
/// leading canonical directions. Both modalities are projected into those k dimensions and ranked by cosine
/// (<see cref="RecallAtK"/> L2-normalises), so the figures are directly comparable with the network's.
/// Deterministic: no seed.
/// </summary>
public sealed class CcaBaseline
{
    private readonly Side music;
    private readonly Side video;

    private CcaBaseline(Side music, Side video, double[] correlations, CcaOptions options)
    {
        this.music = music;
        this.video = video;
        Correlations = correlations;
        Options = options;
    }

    public CcaOptions Options { get; }

    /// <summary>Canonical correlations of the kept components on the (regularised) training covariances, descending.</summary>
    public IReadOnlyList<double> Correlations { get; }

    /// <summary>Size of the shared space (k).</summary>
    public int Dim => Correlations.Count;

    public int MusicPcaDims => music.PcaDims;

    public int VideoPcaDims => video.PcaDims;

    public static CcaBaseline Fit(PairSet train, CcaOptions? options = null)
    {
        options ??= new CcaOptions();
        options.Validate();
        var n = train.Count;
        if (n < 2)
        {
            throw new ArgumentException($"CCA needs at least 2 training pairs (got {n})");
        }

        var (musicNorm, musicPca, x) = Reduce(train.Music, train.MusicDim, options.PcaDims);
        var (videoNorm, videoPca, y) = Reduce(train.Video, train.VideoDim, options.PcaDims);
        var k = Math.Min(options.Components, Math.Min(x.ColumnCount, y.ColumnCount));

        var cxx = Regularised(x.TransposeThisAndMultiply(x) / (n - 1), options.Regularisation);
        var cyy = Regularised(y.TransposeThisAndMultiply(y) / (n - 1), options.Regularisation);
        var cxy = x.TransposeThisAndMultiply(y) / (n - 1);
        var wx = InverseSqrt(cxx);
        var wy = InverseSqrt(cyy);
        var svd = (wx * cxy * wy).Svd(computeVectors: true);
        var a = wx * svd.U.SubMatrix(0, svd.U.RowCount, 0, k);
        var b = wy * svd.VT.Transpose().SubMatrix(0, svd.VT.ColumnCount, 0, k);
        var correlations = svd.S.SubVector(0, k).ToArray();
        return new CcaBaseline(new Side(musicNorm, musicPca * a, x.ColumnCount), new Side(videoNorm, videoPca * b, y.ColumnCount), correlations, options);
    }

    /// <summary>Row-major music features → row-major k-dimensional canonical variates.</summary>
    public float[] ProjectMusic(float[] rows) => music.Project(rows, Dim);

    public float[] ProjectVideo(float[] rows) => video.Project(rows, Dim);

    /// <summary>The music map (standardised features → k canonical variates) as a fixed linear input layer.</summary>
    public InputProjection MusicProjection() => InputProjection.FromMap(music.Map);

    public InputProjection VideoProjection() => InputProjection.FromMap(video.Map);

    /// <summary>Both directions on <paramref name="set"/>, ranked by cosine in the canonical space.</summary>
    public RecallReport Evaluate(PairSet set) => RecallAtK.Evaluate(ProjectMusic(set.Music), ProjectVideo(set.Video), Dim);

    // Standardised rows (n × p), the top-d principal directions (p × d) and the scores (n × d).
    private static (FeatureNormalizer Normalizer, Matrix<double> Pca, Matrix<double> Scores) Reduce(float[] rows, int p, int pcaDims)
    {
        var normalizer = FeatureNormalizer.Fit(rows, p);
        var standard = normalizer.Apply(rows);
        var data = RowMatrix.Of(standard, p);
        var (directions, _) = Pca.Fit(data, pcaDims);
        return (normalizer, directions, data * directions);
    }

    private static Matrix<double> Regularised(Matrix<double> covariance, double ratio) =>
        covariance + Matrix<double>.Build.DenseIdentity(covariance.RowCount) * (ratio * covariance.Trace() / covariance.RowCount);

    // Σ^-1/2 of a symmetric positive (semi)definite matrix; eigenvalues floored so a singular, unregularised Σ
    // whitens what it can instead of producing infinities.
    private static Matrix<double> InverseSqrt(Matrix<double> symmetric)
    {
        var evd = symmetric.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(v => v.Real).ToArray();
        var floor = Math.Max(values.Max(), 1e-300) * 1e-12;
        var scale = Matrix<double>.Build.DenseOfDiagonalArray(values.Select(v => 1 / Math.Sqrt(Math.Max(v, floor))).ToArray());
        return evd.EigenVectors * scale * evd.EigenVectors.Transpose();
    }

    /// <summary>One modality: its standardisation and the map from standardised features to the canonical space.</summary>
    private sealed record Side(FeatureNormalizer Normalizer, Matrix<double> Map, int PcaDims)
    {
        public float[] Project(float[] rows, int k)
        {
            var p = Normalizer.Dim;
            var n = rows.Length / p;
            var standard = Normalizer.Apply(rows);
            var projected = RowMatrix.Of(standard, p) * Map;
            var result = new float[n * k];
            for (var r = 0; r < n; r++)
            {
                for (var c = 0; c < k; c++)
                {
                    result[(r * k) + c] = (float)projected[r, c];
                }
            }

            return result;
        }
    }
}
