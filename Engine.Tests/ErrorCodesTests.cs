using System.Reflection;
using NUnit.Framework;
using ReelSpeed.Engine;

namespace ReelSpeed.Engine.Tests;

/// <summary>ErrorCodes.All (what the Node module exports as errorCodes) lists every code constant, once, under its JS name.</summary>
public class ErrorCodesTests
{
    [Test]
    public void All_lists_every_code_constant_once_by_its_js_name()
    {
        var constants = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);
        Assert.That(ErrorCodes.All.Select(c => c.Value), Is.EquivalentTo(constants.Values));
        Assert.That(ErrorCodes.All.Select(c => c.Key), Is.Unique);
        Assert.That(ErrorCodes.All.Select(c => c.Value), Is.Unique);
        Assert.That(ErrorCodes.All, Does.Contain(KeyValuePair.Create("INVALID_ARG", "ERR_INVALID_ARG_TYPE")));
        Assert.That(ErrorCodes.All, Does.Contain(KeyValuePair.Create("TARGET_UNREACHABLE", "ERR_TARGET_UNREACHABLE")));
    }
}
