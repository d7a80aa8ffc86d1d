namespace VmNet.Corpus;

/// <summary>
/// Draws the frames of a video from <see cref="VideoParameters"/>: scrolling, slowly turning stripes between
/// two colours of equal luma (so hue never changes brightness), moving shapes in a complementary colour that
/// swell on each beat, a flash on each beat, per-pixel grain, all scaled by the brightness. RGB24 frames.
/// <see cref="Motif.Rings"/> (neon corpora) draws concentric rings expanding from a drifting centre instead of stripes.
/// </summary>
public sealed class VideoRenderer
{
    private const float PaletteLuma = 0.55f;
    private const float ShapeLuma = 0.8f;
    private const int ProfileSize = 1024;

    private readonly VideoParameters _video;
    private readonly int _width;
    private readonly int _height;
    private readonly int _fps;
    private readonly float[] _light;
    private readonly float[] _profile;
    private readonly (double X, double Y, double Dx, double Dy, double Size)[] _shapes;
    private readonly (float R, float G, float B) _colour0;
    private readonly (float R, float G, float B) _colour1;
    private readonly (float R, float G, float B) _shapeColour;

    public VideoRenderer(VideoParameters video, int width, int height, int fps)
    {
        _video = video;
        _width = width;
        _height = height;
        _fps = fps;
        _light = new float[width * height * 3];
        // One stripe cycle: a sinusoid pushed towards a square wave as the hardness grows.
        _profile = Enumerable.Range(0, ProfileSize).Select(i =>
            Math.Clamp(((0.5f * MathF.Sin(2 * MathF.PI * i / ProfileSize)) * (float)video.Hardness) + 0.5f, 0, 1)).ToArray();
        var random = new SplitMix64((ulong)video.NoiseSeed);
        _shapes = Enumerable.Range(0, video.ShapeCount).Select(_ =>
        {
            var direction = random.Uniform(0, 2 * Math.PI);
            var speed = video.SpeedPerSecond * random.Uniform(0.8, 1.2);
            return (random.NextDouble(), random.NextDouble(), speed * Math.Cos(direction), speed * Math.Sin(direction),
                video.ShapeSize * random.Uniform(0.8, 1.2));
        }).ToArray();
        _colour0 = EqualLuma(video.Hue, video.Chroma, PaletteLuma);
        _colour1 = EqualLuma(video.Hue + video.HueSpread, video.Chroma, PaletteLuma);
        _shapeColour = EqualLuma(video.Hue + 0.5, Math.Min(0.2, video.Chroma), ShapeLuma);
    }

    public int FrameBytes => _width * _height * 3;

    /// <summary>Renders frame <paramref name="index"/> into <paramref name="rgb"/> (width × height × 3 bytes).</summary>
    public void RenderFrame(int index, Span<byte> rgb)
    {
        var t = index / (double)_fps;
        var beat = 60 / _video.TempoBpm;
        var sinceBeat = t % beat;
        var pulse = Math.Exp(-sinceBeat / 0.15);
        if (_video.Motif == Motif.Rings)
        {
            DrawRings(t);
        }
        else
        {
            DrawStripes(t);
        }

        DrawShapes(t, 1 + (0.25 * pulse));
        Finish(index, rgb, (float)(_video.Flash * Math.Exp(-sinceBeat / 0.1)));
    }

    private void DrawStripes(double t)
    {
        var beatsPerSecond = _video.TempoBpm / 60;
        var angle = _video.StripeAngle + (0.03 * beatsPerSecond * t);
        // Stripe phase in cycles; scrolls at most ~0.45 cycles a second, slow enough not to alias at one frame a second.
        var cyclesPerPixel = _video.StripeCycles / _width;
        var (dx, dy) = ((float)(cyclesPerPixel * Math.Cos(angle)), (float)(cyclesPerPixel * Math.Sin(angle)));
        var phase = (float)(0.15 * beatsPerSecond * t);
        for (var y = 0; y < _height; y++)
        {
            var gradient = 0.7f + (0.3f * (1 - (y / (float)_height)));
            var row = y * _width * 3;
            var u = (y * dy) - phase;
            for (var x = 0; x < _width; x++, u += dx)
            {
                var s = _profile[(int)((u - MathF.Floor(u)) * ProfileSize) & (ProfileSize - 1)];
                var i = row + (x * 3);
                _light[i] = gradient * (_colour0.R + ((_colour1.R - _colour0.R) * s));
                _light[i + 1] = gradient * (_colour0.G + ((_colour1.G - _colour0.G) * s));
                _light[i + 2] = gradient * (_colour0.B + ((_colour1.B - _colour0.B) * s));
            }
        }
    }

    private void DrawRings(double t)
    {
        var beatsPerSecond = _video.TempoBpm / 60;
        // The centre wanders on a slow Lissajous path whose phase is the style's angle.
        var cx = (float)(_width * (0.5 + (0.3 * Math.Sin((0.2 * t) + _video.StripeAngle))));
        var cy = (float)(_height * (0.5 + (0.3 * Math.Cos((0.15 * t) + _video.StripeAngle))));
        var cyclesPerPixel = (float)(_video.StripeCycles / _width);
        // Rings move outwards by at most ~0.45 cycles a second, like the stripes: no aliasing at one frame a second.
        var phase = (float)(0.15 * beatsPerSecond * t);
        var reach = 0.8f * _width;
        for (var y = 0; y < _height; y++)
        {
            var row = y * _width * 3;
            var dy = y + 0.5f - cy;
            for (var x = 0; x < _width; x++)
            {
                var dx = x + 0.5f - cx;
                var distance = MathF.Sqrt((dx * dx) + (dy * dy));
                var u = (distance * cyclesPerPixel) - phase;
                var s = _profile[(int)((u - MathF.Floor(u)) * ProfileSize) & (ProfileSize - 1)];
                var gradient = 0.7f + (0.3f * MathF.Max(0, 1 - (distance / reach)));
                var i = row + (x * 3);
                _light[i] = gradient * (_colour0.R + ((_colour1.R - _colour0.R) * s));
                _light[i + 1] = gradient * (_colour0.G + ((_colour1.G - _colour0.G) * s));
                _light[i + 2] = gradient * (_colour0.B + ((_colour1.B - _colour0.B) * s));
            }
        }
    }

    private void DrawShapes(double t, double swell)
    {
        var side = Math.Min(_width, _height);
        var light = _light;
        foreach (var (x0, y0, dx, dy, size) in _shapes)
        {
            var cx = (float)(Wrap(x0 + (dx * t)) * _width);
            var cy = (float)(Wrap(y0 + (dy * t)) * _height);
            var r = (float)(size * swell * side);
            var (left, top) = ((int)MathF.Floor(cx - r), (int)MathF.Floor(cy - r));
            var extent = (int)MathF.Ceiling(2 * r) + 1;
            // Pixels are visited in unwrapped coordinates, then wrapped: a shape leaving one edge enters the other.
            for (var py = top; py <= top + extent; py++)
            {
                var row = (((py % _height) + _height) % _height) * _width;
                var v = (py + 0.5f - cy) / r;
                var column = ((left % _width) + _width) % _width;
                for (var px = left; px <= left + extent; px++, column = column + 1 == _width ? 0 : column + 1)
                {
                    if (Inside(_video.Shape, (px + 0.5f - cx) / r, v))
                    {
                        var i = (row + column) * 3;
                        light[i] = _shapeColour.R;
                        light[i + 1] = _shapeColour.G;
                        light[i + 2] = _shapeColour.B;
                    }
                }
            }
        }
    }

    private void Finish(int index, Span<byte> rgb, float flash)
    {
        var brightness = (float)_video.Brightness * 255;
        var grain = (float)_video.Grain * 255 / uint.MaxValue;
        var offset = (flash * 255) + 0.5f - ((float)_video.Grain * 255 / 2);
        // xorshift32 per frame, seeded from the item and frame: cheap grain that is the same on every run.
        var state = (uint)(SplitMix64.Hash01((ulong)_video.NoiseSeed, index, 0) * uint.MaxValue) | 1;
        for (var p = 0; p < _width * _height; p++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            // The same grain on all three channels: luma noise, like film grain.
            var add = (grain * state) + offset;
            var i = p * 3;
            rgb[i] = ToByte((_light[i] * brightness) + add);
            rgb[i + 1] = ToByte((_light[i + 1] * brightness) + add);
            rgb[i + 2] = ToByte((_light[i + 2] * brightness) + add);
        }
    }

    private static bool Inside(ShapeKind shape, float x, float y) => shape switch
    {
        ShapeKind.Circle => (x * x) + (y * y) <= 1,
        ShapeKind.Square => MathF.Max(MathF.Abs(x), MathF.Abs(y)) <= 0.85f,
        ShapeKind.Diamond => MathF.Abs(x) + MathF.Abs(y) <= 1,
        ShapeKind.Ring => (x * x) + (y * y) is <= 1 and >= 0.45f,
        ShapeKind.Cross => (MathF.Abs(x) <= 0.3f && MathF.Abs(y) <= 1) || (MathF.Abs(y) <= 0.3f && MathF.Abs(x) <= 1),
        ShapeKind.Triangle => y is <= 0.8f and >= -0.9f && MathF.Abs(x) <= (y + 0.9f) * 0.6f,
        _ => false,
    };

    private static double Wrap(double value) => value - Math.Floor(value);

    private static byte ToByte(float value) => value <= 0 ? (byte)0 : value >= 255 ? (byte)255 : (byte)value;

    /// <summary>A colour of hue <paramref name="hue"/> whose luma (Rec. 601) is exactly <paramref name="luma"/>.</summary>
    private static (float R, float G, float B) EqualLuma(double hue, double chroma, float luma)
    {
        var h = (hue - Math.Floor(hue)) * 6;
        var x = 1 - Math.Abs((h % 2) - 1);
        (double R, double G, double B) rgb = (int)h switch
        {
            0 => (1, x, 0),
            1 => (x, 1, 0),
            2 => (0, 1, x),
            3 => (0, x, 1),
            4 => (x, 0, 1),
            _ => (1, 0, x),
        };
        var (r, g, b) = rgb;
        var y = (0.299 * r) + (0.587 * g) + (0.114 * b);
        // Moving away from grey along (colour − its own luma) leaves the luma unchanged.
        return ((float)Math.Clamp(luma + (chroma * (r - y)), 0, 1),
            (float)Math.Clamp(luma + (chroma * (g - y)), 0, 1),
            (float)Math.Clamp(luma + (chroma * (b - y)), 0, 1));
    }
}
