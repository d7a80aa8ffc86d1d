using MathNet.Numerics.LinearAlgebra;

namespace VmNet.Training;

/// <summary>Row-major float rows (as features and embeddings are stored) as a double matrix for the linear algebra.</summary>
public static class RowMatrix
{
    public static Matrix<double> Of(float[] rowMajor, int width) =>
        Matrix<double>.Build.Dense(rowMajor.Length / width, width, (r, c) => rowMajor[(r * width) + c]);
}
