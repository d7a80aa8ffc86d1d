// Torch's random generator is process-wide: a test drawing from it while another trains would break that
// training's reproducibility, so the tests of this assembly run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
