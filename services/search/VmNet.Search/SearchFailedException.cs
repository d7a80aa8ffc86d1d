namespace VmNet.Search;

/// <summary>Why a query could not be answered; the gRPC layer maps each to its status code.</summary>
internal enum SearchFailure
{
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    FailedPrecondition,
    Unavailable,
}

/// <summary>A query the engine refuses or cannot answer; <see cref="Exception.Message"/> is for the caller.</summary>
internal sealed class SearchFailedException(SearchFailure failure, string message) : Exception(message)
{
    public SearchFailure Failure { get; } = failure;
}
