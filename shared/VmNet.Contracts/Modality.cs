namespace VmNet.Contracts;

/// <summary>One side of the two-branch network.</summary>
public enum Modality
{
    Music = 0,
    Video = 1,
}
