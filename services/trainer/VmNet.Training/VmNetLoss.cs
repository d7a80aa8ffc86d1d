using TorchSharp;
using static TorchSharp.torch;

namespace VmNet.Training;

/// <summary>The four terms of one batch's loss and their weighted sum (the tensor to back-propagate).</summary>
public sealed record LossTerms(Tensor Total, double VideoToMusic, double MusicToVideo, double VideoStructure, double MusicStructure);

/// <summary>
/// VM-NET's loss (paper eq. 3 and the reference code): λ1·L(v→m) + λ2·L(m→v) + λ3·S(v) + λ4·S(m). Embeddings are
/// L2-normalised, so distance is d = −cosine similarity, as in the reference. Row i of each matrix is pair i.
/// </summary>
public static class VmNetLoss
{
    /// <summary>
    /// Inter-modal ranking loss with <paramref name="anchors"/> as queries: mean over anchors i and their
    /// <paramref name="topQ"/> most violating negatives j of max(0, ε + d(aᵢ, tᵢ) − d(aᵢ, tⱼ)).
    /// </summary>
    public static Tensor Ranking(Tensor anchors, Tensor targets, int topQ, double margin)
    {
        var n = anchors.shape[0];
        var q = (int)Math.Min(topQ, n - 1);
        if (q < 1)
        {
            throw new ArgumentException("the ranking loss needs at least two pairs in a batch");
        }

        using var scope = NewDisposeScope();
        var similarity = anchors.mm(targets.t());
        var positive = similarity.diagonal().unsqueeze(1);
        // The positive is pushed out of the way of top-k, as the reference does with ±1e6.
        var negatives = similarity - (eye(n, dtype: similarity.dtype, device: similarity.device) * 1e6);
        var (hardest, _) = negatives.topk(q, dim: 1, largest: true, sorted: false);
        return nn.functional.relu(margin - positive + hardest).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Soft structure loss inside one modality. For anchors i &lt; Q and neighbouring columns (j, k = j + 1), as the
    /// reference takes them: coeff = sign(d_raw(i,j) − d_raw(i,k)) − sign(d_emb(i,j) − d_emb(i,k)), loss =
    /// mean(coeff · (d_emb(i,k) − d_emb(i,j))). No margin; coeff is 0 where the orders agree. Raw features are
    /// compared by cosine like the embeddings.
    /// </summary>
    public static Tensor Structure(Tensor raw, Tensor embedded, int topQ)
    {
        var q = Math.Min(topQ, embedded.shape[0]);
        if (q < 2)
        {
            throw new ArgumentException("the structure loss needs at least two items in a batch");
        }

        using var scope = NewDisposeScope();
        Tensor rawDistance;
        using (no_grad())
        {
            var r = nn.functional.normalize(raw[..(int)q], p: 2, dim: 1);
            rawDistance = -r.mm(r.t());
        }

        var e = embedded[..(int)q];
        var embDistance = -e.mm(e.t());
        var rawJ = rawDistance[.., ..(int)(q - 1)];
        var rawK = rawDistance[.., 1..(int)q];
        var embJ = embDistance[.., ..(int)(q - 1)];
        var embK = embDistance[.., 1..(int)q];
        var coeff = (sign(rawJ - rawK) - sign(embJ - embK)).detach();
        return (coeff * (embK - embJ)).mean().MoveToOuterDisposeScope();
    }

    /// <summary>The weighted loss of one batch; structure terms are skipped (reported as 0) for <see cref="LossMode.InterOnly"/>.</summary>
    public static LossTerms Combined(
        Tensor musicRaw, Tensor videoRaw, Tensor musicEmbedding, Tensor videoEmbedding, TrainingOptions options)
    {
        using var scope = NewDisposeScope();
        var v2m = Ranking(videoEmbedding, musicEmbedding, options.TopQ, options.Margin);
        var m2v = Ranking(musicEmbedding, videoEmbedding, options.TopQ, options.Margin);
        var total = (v2m * options.LambdaVideoToMusic) + (m2v * options.LambdaMusicToVideo);
        double sv = 0, sm = 0;
        if (options.LossMode == LossMode.Combined)
        {
            var structureVideo = Structure(videoRaw, videoEmbedding, options.TopQ);
            var structureMusic = Structure(musicRaw, musicEmbedding, options.TopQ);
            total = total + (structureVideo * options.LambdaVideoStructure) + (structureMusic * options.LambdaMusicStructure);
            sv = structureVideo.ToDouble();
            sm = structureMusic.ToDouble();
        }

        return new LossTerms(total.MoveToOuterDisposeScope(), v2m.ToDouble(), m2v.ToDouble(), sv, sm);
    }
}
