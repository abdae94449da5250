using NUnit.Framework;

namespace ReelSpeed.Engine.Tests;

/// <summary>Base of test classes that need a fresh folder per test, removed afterwards.</summary>
public abstract class TempDirTest
{
    protected string _dir = "";

    [SetUp]
    public void CreateTempDir() => _dir = TestSupport.TempDir();

    [TearDown]
    public void RemoveTempDir() => Directory.Delete(_dir, recursive: true);
}
