using ReelSpeed.Engine.Media;
using SkiaSharp;

namespace ReelSpeed.Engine.Render;

/// <summary>
/// Decoded images of one renderer (avatars, pictures, background), each decoded once at the size
/// it is drawn at (a larger source is decoded down to the smallest size that covers it) and freed
/// with the cache, or sooner with <see cref="Remove"/>.
/// </summary>
public sealed class ImageCache : IDisposable
{
    private readonly Dictionary<(string Path, int Width, int Height), SKImage> _images = new();

    /// <summary>The image at <paramref name="path"/>, for drawing cover-fitted into a <paramref name="drawn"/>-sized rectangle.</summary>
    public SKImage Get(string path, string field, SKSize drawn)
    {
        var key = Key(path, drawn);
        if (!_images.TryGetValue(key, out var image))
        {
            image = ImageLoader.Load(path, field, key.Width, key.Height);
            _images[key] = image;
        }
        return image;
    }

    /// <summary>Frees the image that <see cref="Get"/> returned for these arguments, if it is cached.</summary>
    public void Remove(string path, SKSize drawn)
    {
        if (_images.Remove(Key(path, drawn), out var image)) image.Dispose();
    }

    /// <summary>How many images are held now.</summary>
    public int Count => _images.Count;

    private static (string Path, int Width, int Height) Key(string path, SKSize drawn) =>
        (path, Math.Max(1, (int)MathF.Ceiling(drawn.Width)), Math.Max(1, (int)MathF.Ceiling(drawn.Height)));

    public void Dispose()
    {
        foreach (var image in _images.Values) image.Dispose();
        _images.Clear();
    }
}
