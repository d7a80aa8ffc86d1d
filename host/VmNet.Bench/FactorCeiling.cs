using MathNet.Numerics.LinearAlgebra;
using VmNet.Corpus;
using VmNet.Training;

namespace VmNet.Bench;

/// <summary>
/// How well each side's features predict the generator's hidden factors (validation R², per factor), and the
/// retrieval a matcher built on those predictions reaches: the test figures of <see cref="FactorCeiling"/>.
/// </summary>
public sealed record FactorCeilingResult(IReadOnlyList<string> Factors, double[] MusicR2, double[] VideoR2, RecallReport Test)
{
    /// <summary>The same matcher on the renderings' parameters instead of features (<see cref="FactorCeiling.RenderingCorpus"/>).</summary>
    public FactorCeilingResult? Rendering { get; init; }
}

/// <summary>
/// A supervised reference for <c>vmnet bench tune</c> on a generated corpus: what the pipeline's features allow when
/// the generator's hidden factors (<see cref="LatentFactors"/>, which no model in the product sees) are given for
/// the training split. Per side: ridge regression from the standardised features to the standardised factors (dual
/// form, n ≪ p), the ridge per factor chosen on the validation split; then every test item is placed at its
/// predicted factors, each factor weighted by 1 / √(validation MSE of music + video), and matched by Euclidean
/// distance. If this cheating matcher is no better than CCA, the features — not the model — bound retrieval on the
/// corpus.
/// </summary>
public static class FactorCeiling
{
    /// <summary>
    /// What is predicted. The key, a pitch class, is a point on the circle of fifths and on the chromatic circle (the
    /// two pictures of it the corpus styles draw hues from), so each is a cos/sin pair.
    /// </summary>
    public static IReadOnlyList<string> Factors { get; } =
    [
        "log tempo", "minor", "register", "timbre", "percussiveness", "loudness",
        "key cos (fifths)", "key sin (fifths)", "key cos (chromatic)", "key sin (chromatic)",
    ];

    /// <summary>Ridge strengths tried, as shares of the mean squared row norm (so they mean the same at any width).</summary>
    public static IReadOnlyList<double> Ridges { get; } = [0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];

    public static double[] Targets(LatentFactors f) =>
        [Math.Log(f.TempoBpm), f.Minor ? 1 : 0, f.Register, f.Timbre, f.Percussiveness, f.Loudness, .. KeyOnCircles(f.Key)];

    /// <summary>A pitch class as cos, sin on the circle of fifths, then cos, sin on the chromatic circle.</summary>
    public static double[] KeyOnCircles(int key)
    {
        var fifths = 2 * Math.PI * (key * 7 % 12) / 12;
        var chromatic = 2 * Math.PI * key / 12;
        return [Math.Cos(fifths), Math.Sin(fifths), Math.Cos(chromatic), Math.Sin(chromatic)];
    }

    /// <summary>
    /// Fits on <paramref name="corpus"/>'s training split, chooses on its validation split, reports its test split.
    /// <paramref name="factors"/> maps every media id of the corpus to its generator factors.
    /// </summary>
    public static FactorCeilingResult Evaluate(PairCorpus corpus, IReadOnlyDictionary<string, LatentFactors> factors)
    {
        if (corpus.Train.Count < 2 || corpus.Validation.Count < 1 || corpus.Test.Count < 1)
        {
            throw new ArgumentException("the factor ceiling needs at least 2 training pairs and 1 validation and 1 test pair");
        }

        var (y, mean, std) = StandardTargets(corpus.Train, factors, null, null);
        var (yValidation, _, _) = StandardTargets(corpus.Validation, factors, mean, std);
        var music = Side.Fit(corpus.Train.Music, corpus.Train.MusicDim, y, corpus.Validation.Music, yValidation);
        var video = Side.Fit(corpus.Train.Video, corpus.Train.VideoDim, y, corpus.Validation.Video, yValidation);
        var t = Factors.Count;
        var weights = Enumerable.Range(0, t).Select(j => 1 / Math.Sqrt(Math.Max(music.ValidationMse[j] + video.ValidationMse[j], 1e-12))).ToArray();
        var musicTest = music.Predict(corpus.Test.Music, weights);
        var videoTest = video.Predict(corpus.Test.Video, weights);
        var test = new RecallReport(RecallAtK.FromRanks(EuclideanRanks(videoTest, musicTest)), RecallAtK.FromRanks(EuclideanRanks(musicTest, videoTest)));
        return new FactorCeilingResult(Factors, [.. music.ValidationMse.Select(m => 1 - m)], [.. video.ValidationMse.Select(m => 1 - m)], test);
    }

    /// <summary>
    /// <paramref name="corpus"/>'s split with each item's features replaced by what its two renderings were made from
    /// (<see cref="MusicParameters"/>, <see cref="VideoParameters"/>): run through <see cref="Evaluate"/>, the same
    /// matcher shows how much a perfect feature extractor could recover — the headroom above the features' ceiling.
    /// Circular parameters (key, hue) enter as cos/sin pairs; the style's categorical traits are left out.
    /// </summary>
    public static PairCorpus RenderingCorpus(PairCorpus corpus, IReadOnlyDictionary<string, CorpusItem> items)
    {
        PairSet Set(PairSet set) => PairSet.Of(
            [.. set.MediaIds.Select(id => items.TryGetValue(id, out var item) && item.Music is { } m && item.Video is { } v
                ? new FeaturePair(id, MusicRendering(m), VideoRendering(v))
                : throw new ArgumentException($"no rendering parameters for media id {id}"))],
            MusicRenderingDim,
            VideoRenderingDim);
        return corpus with { Train = Set(corpus.Train), Validation = Set(corpus.Validation), Test = Set(corpus.Test) };
    }

    public const int MusicRenderingDim = 10;

    public const int VideoRenderingDim = 14;

    public static float[] MusicRendering(MusicParameters m)
    {
        double[] values = [Math.Log(m.TempoBpm), .. KeyOnCircles(m.Key), m.Minor ? 1 : 0, m.Register, m.Timbre, m.Percussiveness, m.Loudness];
        return [.. values.Select(v => (float)v)];
    }

    public static float[] VideoRendering(VideoParameters v)
    {
        var hue = 2 * Math.PI * v.Hue;
        return [.. new[]
        {
            Math.Log(v.TempoBpm), Math.Cos(hue), Math.Sin(hue), v.HueSpread, v.Chroma, v.StripeCycles, Math.Cos(v.StripeAngle), Math.Sin(v.StripeAngle),
            v.Hardness, v.Grain, v.Flash, v.Brightness, v.ShapeCount, v.ShapeSize,
        }.Select(x => (float)x)];
    }

    /// <summary>Rank of each query's own partner (same row) among the gallery rows by Euclidean distance; ties count against it.</summary>
    public static int[] EuclideanRanks(Matrix<double> queries, Matrix<double> gallery)
    {
        var n = queries.RowCount;
        var (q, g) = (queries.ToRowArrays(), gallery.ToRowArrays());
        var ranks = new int[n];
        for (var i = 0; i < n; i++)
        {
            var own = SquaredDistance(q[i], g[i]);
            var closer = 0;
            for (var j = 0; j < n; j++)
            {
                if (j != i && SquaredDistance(q[i], g[j]) <= own)
                {
                    closer++;
                }
            }

            ranks[i] = closer + 1;
        }

        return ranks;
    }

    private static double SquaredDistance(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var k = 0; k < a.Length; k++)
        {
            sum += (a[k] - b[k]) * (a[k] - b[k]);
        }

        return sum;
    }

    private static (Matrix<double> Y, double[] Mean, double[] Std) StandardTargets(
        PairSet set, IReadOnlyDictionary<string, LatentFactors> factors, double[]? mean, double[]? std)
    {
        var raw = Matrix<double>.Build.DenseOfRowArrays(set.MediaIds.Select(id =>
            factors.TryGetValue(id, out var f) ? Targets(f) : throw new ArgumentException($"no generator factors for media id {id}")));
        mean ??= [.. Enumerable.Range(0, raw.ColumnCount).Select(c => raw.Column(c).Average())];
        // A factor constant over the training split (e.g. no minor keys) predicts nothing: unit scale, centred.
        std ??= [.. Enumerable.Range(0, raw.ColumnCount).Select(c =>
        {
            var column = raw.Column(c);
            var sd = Math.Sqrt(column.Select(v => (v - mean[c]) * (v - mean[c])).Average());
            return sd > 1e-9 ? sd : 1;
        })];
        return (Matrix<double>.Build.Dense(raw.RowCount, raw.ColumnCount, (r, c) => (raw[r, c] - mean[c]) / std[c]), mean, std);
    }

    /// <summary>One modality: its standardisation, the training rows, and per factor the dual ridge weights that won on validation.</summary>
    private sealed record Side(FeatureNormalizer Normalizer, Matrix<double> TrainRows, Matrix<double> Alpha, double[] ValidationMse)
    {
        public static Side Fit(float[] trainRows, int p, Matrix<double> y, float[] validationRows, Matrix<double> yValidation)
        {
            var normalizer = FeatureNormalizer.Fit(trainRows, p);
            var x = RowMatrix.Of(normalizer.Apply(trainRows), p);
            var xValidation = RowMatrix.Of(normalizer.Apply(validationRows), p);
            var gram = x.TransposeAndMultiply(x);
            var cross = xValidation.TransposeAndMultiply(x);
            var scale = gram.Trace() / gram.RowCount;
            var (n, t) = (x.RowCount, y.ColumnCount);
            var alpha = Matrix<double>.Build.Dense(n, t);
            var mse = Enumerable.Repeat(double.PositiveInfinity, t).ToArray();
            foreach (var ridge in Ridges)
            {
                var candidate = (gram + Matrix<double>.Build.DenseIdentity(n) * (ridge * scale)).Cholesky().Solve(y);
                var predicted = cross * candidate;
                for (var j = 0; j < t; j++)
                {
                    var error = (predicted.Column(j) - yValidation.Column(j)).PointwisePower(2).Average();
                    if (error < mse[j])
                    {
                        mse[j] = error;
                        alpha.SetColumn(j, candidate.Column(j));
                    }
                }
            }

            return new Side(normalizer, x, alpha, mse);
        }

        /// <summary>Predicted standardised factors of <paramref name="rows"/>, each column times its weight.</summary>
        public Matrix<double> Predict(float[] rows, double[] weights)
        {
            var predicted = RowMatrix.Of(Normalizer.Apply(rows), Normalizer.Dim).TransposeAndMultiply(TrainRows) * Alpha;
            return predicted * Matrix<double>.Build.DenseOfDiagonalArray(weights);
        }
    }
}
