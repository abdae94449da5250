using ReelSpeed.Engine.Media;
using SkiaSharp;

namespace ReelSpeed.Engine.Render;

/// <summary>Decoded images of one renderer (avatars, pictures, background), each decoded once and freed with it.</summary>
public sealed class ImageCache : IDisposable
{
    private readonly Dictionary<string, SKImage> _images = new(StringComparer.Ordinal);

    public SKImage Get(string path, string field)
    {
        if (!_images.TryGetValue(path, out var image))
        {
            image = ImageLoader.Load(path, field);
            _images[path] = image;
        }
        return image;
    }

    public void Dispose()
    {
        foreach (var image in _images.Values) image.Dispose();
        _images.Clear();
    }
}
