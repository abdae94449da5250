using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace ReelSpeed.Engine.Tests.Architecture;

/// <summary>
/// The Engine's folders form a one-way stack (README, "Architecture"): a folder may use the
/// folders below it, never one above. Checked on the compiled assembly, so every reference
/// counts: signatures, base types, generic arguments, and each type, method and field a method
/// body touches (lambdas and async state machines are counted for the type that declares them).
/// </summary>
public class LayeringTests
{
    /// <summary>The stack, lowest first: a folder's namespace and the folder under Engine/.</summary>
    public static readonly (string Namespace, string Folder)[] Layers =
    {
        ("ReelSpeed.Engine", "Core"),                      // errors, shared value types, JSON writing, threads
        ("ReelSpeed.Engine.Assets", "Assets"),             // remote assets: address policy, downloads, content cache
        ("ReelSpeed.Engine.Media.Native", "Media/Native"), // libav* bindings, handles, struct layout
        ("ReelSpeed.Engine.Media", "Media"),               // probe, decode, encode, mux, convert, quality
        ("ReelSpeed.Engine.Audio", "Audio"),               // audio decode-to-mix, ducking, loudness
        ("ReelSpeed.Engine.Text", "Text"),                 // fonts, bidi, shaping, line breaking
        ("ReelSpeed.Engine.Effects", "Effects"),           // effect definitions and their Skia filters, SkSL
        ("ReelSpeed.Engine.Config", "Config"),             // the two config shapes, validation
        ("ReelSpeed.Engine.Scenes", "Scene"),              // the Scene, layout, timeline, themes
        ("ReelSpeed.Engine.Render", "Render"),             // Skia painters: frame t of a Scene
        ("ReelSpeed.Engine.Pipeline", "Pipeline"),         // jobs: frames → encoder → muxer, size targets
        ("ReelSpeed.Engine.Metrics", "Metrics"),           // Prometheus counters over jobs
        ("ReelSpeed.Engine.Api", "Api"),                   // the public operations and the engine instance
    };

    private static readonly Assembly Engine = typeof(EngineException).Assembly;

    [Test]
    public void No_folder_refers_to_a_type_of_a_folder_above_it()
    {
        var violations = new SortedSet<string>();
        foreach (var type in Engine.GetTypes())
        {
            var owner = Outermost(type);
            int from = LayerOf(owner);
            foreach (var used in References(type))
            {
                if (used.Assembly != Engine || used.HasElementType || used.IsGenericParameter) continue;
                var target = Outermost(used);
                int to = LayerOf(target);
                if (to > from)
                    violations.Add($"{Layers[from].Folder} → {Layers[to].Folder}: {owner.FullName} uses {target.FullName}");
            }
        }
        Assert.That(violations, Is.Empty, "references up the stack:\n" + string.Join("\n", violations));
    }

    [Test]
    public void Every_type_lives_in_a_layer()
    {
        var stray = Engine.GetTypes().Select(Outermost).Distinct()
            .Where(t => t.Namespace is { } ns && !t.Name.StartsWith('<') && Layers.All(l => l.Namespace != ns))
            .Select(t => t.FullName).ToList();
        Assert.That(stray, Is.Empty, "types outside the layered namespaces");
    }

    /// <summary>A file's namespace says its folder, so the stack can be read from the tree.</summary>
    [Test]
    public void Each_source_file_declares_the_namespace_of_its_folder()
    {
        var root = Path.Combine(TestSupport.RepoRoot, "Engine");
        var wrong = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (rel.StartsWith("bin/") || rel.StartsWith("obj/")) continue;
            var folder = Path.GetDirectoryName(rel)!.Replace('\\', '/');
            var layer = Layers.FirstOrDefault(l => l.Folder == folder);
            var declared = Regex.Match(File.ReadAllText(file), @"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline).Groups[1].Value;
            if (layer.Folder is null) wrong.Add($"{rel}: folder {folder} is not a layer");
            else if (declared != layer.Namespace) wrong.Add($"{rel}: namespace {declared}, expected {layer.Namespace}");
        }
        Assert.That(wrong, Is.Empty);
    }

    [Test]
    public void The_check_sees_references_made_inside_method_bodies()
    {
        // Pipeline's FrameProducer creates a FrameRenderer only inside a method body: the IL scan must see it.
        var refs = References(typeof(ReelSpeed.Engine.Pipeline.FrameProducer)).ToHashSet();
        Assert.That(refs, Does.Contain(typeof(ReelSpeed.Engine.Render.FrameRenderer)));
        Assert.That(LayerOf(typeof(ReelSpeed.Engine.Render.FrameRenderer)), Is.LessThan(LayerOf(typeof(ReelSpeed.Engine.Pipeline.FrameProducer))));
    }

    private static int LayerOf(Type t)
    {
        var ns = t.Namespace ?? "";
        for (int i = 0; i < Layers.Length; i++)
            if (Layers[i].Namespace == ns) return i;
        return 0; // compiler-generated top-level helpers (<PrivateImplementationDetails>) belong to nobody
    }

    private static Type Outermost(Type t)
    {
        while (t.DeclaringType is not null) t = t.DeclaringType;
        return t;
    }

    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every type <paramref name="type"/> refers to: in its shape and in its members' IL.</summary>
    private static IEnumerable<Type> References(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || !found.Add(t)) return;
            if (t.HasElementType) Add(t.GetElementType());
            if (t.IsGenericType)
            {
                if (!t.IsGenericTypeDefinition) Add(t.GetGenericTypeDefinition());
                foreach (var a in t.GetGenericArguments()) Add(a);
            }
        }
        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var f in type.GetFields(All)) Add(f.FieldType);
        foreach (var p in type.GetProperties(All)) Add(p.PropertyType);
        foreach (var e in type.GetEvents(All)) Add(e.EventHandlerType);
        var methods = type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All));
        foreach (var m in methods)
        {
            if (m is MethodInfo mi) Add(mi.ReturnType);
            foreach (var p in m.GetParameters()) Add(p.ParameterType);
            MethodBody? body;
            try { body = m.GetMethodBody(); } catch { continue; }
            if (body is null) continue;
            foreach (var v in body.LocalVariables) Add(v.LocalType);
            foreach (var used in TypesInIl(m, body.GetILAsByteArray() ?? Array.Empty<byte>())) Add(used);
        }
        return found;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The declaring types of the fields, methods and types whose tokens the IL names.</summary>
    private static IEnumerable<Type> TypesInIl(MethodBase method, byte[] il)
    {
        var module = method.Module;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int pos = 0; pos < il.Length;)
        {
            short value = il[pos++];
            if (value == 0xFE) value = unchecked((short)(0xFE00 | il[pos++]));
            if (!OpCodesByValue.TryGetValue(value, out var op)) yield break; // unknown: stop rather than misread
            int size = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, pos),
                _ => 4,
            };
            if (op.OperandType is OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType)
            {
                int token = BitConverter.ToInt32(il, pos);
                MemberInfo? member = null;
                try { member = module.ResolveMember(token, typeArgs, methodArgs); } catch { }
                switch (member)
                {
                    case Type t:
                        yield return t;
                        break;
                    case FieldInfo f:
                        if (f.DeclaringType is not null) yield return f.DeclaringType;
                        yield return f.FieldType;
                        break;
                    case MethodBase mb:
                        if (mb.DeclaringType is not null) yield return mb.DeclaringType;
                        if (mb is MethodInfo mi) yield return mi.ReturnType;
                        foreach (var p in mb.GetParameters()) yield return p.ParameterType;
                        if (mb.IsGenericMethod) foreach (var a in mb.GetGenericArguments()) yield return a;
                        break;
                }
            }
            pos += size;
        }
    }
}
