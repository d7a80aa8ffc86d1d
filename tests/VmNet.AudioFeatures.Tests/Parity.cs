namespace VmNet.AudioFeatures.Tests;

/// <summary>Per-block agreement of a 1140-d vector with a reference: Pearson r and median relative error.</summary>
public sealed record BlockParity(string Component, string Block, int Values, double Pearson, double MedianRelativeError, double MaxAbsDifference)
{
    /// <summary>Blocks whose reference values are all equal have no correlation; they must match in absolute terms instead.</summary>
    public bool ReferenceConstant => double.IsNaN(Pearson);

    public static IReadOnlyList<BlockParity> Compare(float[] ours, float[] reference)
    {
        var result = new List<BlockParity>();
        for (var c = 0; c < 2; c++)
        {
            foreach (var block in AudioFeatureLayout.Blocks)
            {
                var a = new List<double>();
                var b = new List<double>();
                for (var stat = 0; stat < 3; stat++)
                {
                    var at = AudioFeatureLayout.IndexOf(stat, c, block);
                    for (var d = 0; d < block.Size; d++)
                    {
                        a.Add(ours[at + d]);
                        b.Add(reference[at + d]);
                    }
                }

                var relative = a.Zip(b, (x, y) => Math.Abs(x - y) / Math.Max(Math.Abs(y), 1e-3)).Order().ToList();
                result.Add(new BlockParity(
                    AudioFeatureLayout.Components[c], block.Name, a.Count, Correlation(a, b), relative[relative.Count / 2],
                    a.Zip(b, (x, y) => Math.Abs(x - y)).Max()));
            }
        }

        return result;
    }

    public static double Correlation(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var ma = a.Average();
        var mb = b.Average();
        double sab = 0, saa = 0, sbb = 0;
        for (var i = 0; i < a.Count; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }

        return sbb < 1e-18 ? double.NaN : sab / Math.Sqrt(saa * sbb);
    }

    public override string ToString() =>
        $"{Component,-10} {Block,-21} n={Values,3} r={Pearson,8:0.00000} medRelErr={MedianRelativeError,9:0.0000} maxAbs={MaxAbsDifference,8:0.000}";
}
