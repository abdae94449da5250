using SkiaSharp;

namespace ReelSpeed.Engine.Effects;

/// <summary>
/// A custom transition: SkSL compiled by Skia's runtime effects. The shader receives the
/// outgoing and incoming frames as <c>uniform shader from, to;</c>, the transition's progress
/// 0..1 as <c>uniform float progress;</c> and, if it declares it, the frame size in pixels as
/// <c>uniform float2 resolution;</c>. Any other uniform or child is a config error (it could
/// never be set). Example: <c>half4 main(float2 p) { return mix(from.eval(p), to.eval(p), progress); }</c>.
/// </summary>
public sealed class TransitionShader : IDisposable
{
    private readonly SKRuntimeEffect _effect;
    private readonly bool _hasResolution;

    private TransitionShader(SKRuntimeEffect effect, bool hasResolution)
    {
        _effect = effect;
        _hasResolution = hasResolution;
    }

    /// <summary>Compiles and checks <paramref name="sksl"/>; on failure, <c>Error</c> says why (Skia's message with its line).</summary>
    public static (TransitionShader? Shader, string? Error) Compile(string sksl)
    {
        SKRuntimeEffect? effect;
        string? errors;
        try
        {
            effect = SKRuntimeEffect.CreateShader(sksl, out errors);
        }
        catch (Exception e)
        {
            return (null, $"the SkSL shader does not compile: {e.Message}");
        }
        if (effect is null)
            return (null, $"the SkSL shader does not compile: {(string.IsNullOrWhiteSpace(errors) ? "unknown error" : errors.Trim())}");
        var children = effect.Children.ToArray();
        var uniforms = effect.Uniforms.ToArray();
        string? problem = null;
        if (!children.Contains("from") || !children.Contains("to"))
            problem = "the SkSL shader must declare 'uniform shader from;' and 'uniform shader to;'";
        else if (!uniforms.Contains("progress"))
            problem = "the SkSL shader must declare 'uniform float progress;'";
        else if (children.FirstOrDefault(c => c is not ("from" or "to")) is { } child)
            problem = $"the SkSL shader declares child '{child}', which the engine cannot supply (only from and to)";
        else if (uniforms.FirstOrDefault(u => u is not ("progress" or "resolution")) is { } uniform)
            problem = $"the SkSL shader declares uniform '{uniform}', which the engine cannot supply (only progress and resolution)";
        if (problem is not null)
        {
            effect.Dispose();
            return (null, problem);
        }
        // Uniforms of another type than the engine writes (a float2 progress, an int
        // resolution) compile but cannot be set: find out now, not on the first transition frame.
        var shader = new TransitionShader(effect, uniforms.Contains("resolution"));
        try
        {
            using var from = SKShader.CreateColor(SKColors.Black);
            using var to = SKShader.CreateColor(SKColors.White);
            using var trial = shader.Create(from, to, 0.5f, 2, 2);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            shader.Dispose();
            return (null, $"the SkSL shader's uniforms must be 'uniform float progress;' and 'uniform float2 resolution;' ({e.Message})");
        }
        return (shader, null);
    }

    /// <summary>A shader mixing <paramref name="from"/> and <paramref name="to"/> at <paramref name="progress"/> (dispose it after drawing).</summary>
    public SKShader Create(SKShader from, SKShader to, float progress, int width, int height)
    {
        using var uniforms = new SKRuntimeEffectUniforms(_effect) { ["progress"] = progress };
        if (_hasResolution) uniforms["resolution"] = new[] { (float)width, height };
        using var children = new SKRuntimeEffectChildren(_effect) { ["from"] = from, ["to"] = to };
        return _effect.ToShader(uniforms, children);
    }

    public void Dispose() => _effect.Dispose();
}
