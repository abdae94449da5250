namespace ReelSpeed.Engine.Audio;

/// <summary>
/// ITU-R BS.1770-4 loudness of a 48 kHz stereo stream, fed block by block: K-weighting
/// (the standard's two 48 kHz biquads), mean square over 400 ms gating blocks every
/// 100 ms (75 % overlap), the absolute gate at −70 LUFS and the relative gate 10 LU below
/// the abs-gated level. Left and right are weighted 1.0.
/// <para>
/// Memory is bounded whatever the length: gated blocks go into a histogram of
/// <see cref="BinsPerLu"/> bins per LU that also keeps each bin's exact energy sum, so the
/// integrated level is exact except for which side of the relative gate the blocks within
/// 1/<see cref="BinsPerLu"/> LU of it fall on.
/// </para>
/// </summary>
public sealed class LoudnessMeter
{
    public const int SampleRate = AudioMix.SampleRate;
    public const double AbsoluteGateLufs = -70;
    public const double RelativeGateLu = -10;
    /// <summary>Step between gating blocks: 100 ms.</summary>
    public const int StepSamples = SampleRate / 10;
    /// <summary>A gating block is four steps: 400 ms.</summary>
    public const int StepsPerBlock = 4;
    public const int BinsPerLu = 100;
    /// <summary>Blocks louder than this (only possible above full scale) share the top bin.</summary>
    public const double HistogramTopLufs = 30;
    /// <summary>The −0.691 dB of BS.1770 that makes a 997 Hz sine read its RMS level after K-weighting.</summary>
    private const double KOffset = -0.691;
    private const int BinCount = (int)((HistogramTopLufs - AbsoluteGateLufs) * BinsPerLu);

    // BS.1770-4 Table 1 (stage 1, the head's high shelf) and Table 2 (stage 2, the RLB
    // high-pass), valid at 48 kHz only; a0 = 1.
    private const double S1B0 = 1.53512485958697, S1B1 = -2.69169618940638, S1B2 = 1.19839281085285;
    private const double S1A1 = -1.69065929318241, S1A2 = 0.73248077421585;
    private const double S2B0 = 1.0, S2B1 = -2.0, S2B2 = 1.0;
    private const double S2A1 = -1.99004745483398, S2A2 = 0.99007225036621;

    private KWeighting _left, _right;
    private double _stepEnergy; // sum of squares of both K-weighted channels in the current step
    private int _stepFill;
    private readonly double[] _steps = new double[StepsPerBlock]; // ring of the last four steps' energies
    private long _stepsDone;
    private readonly int[] _binCount = new int[BinCount];
    private readonly double[] _binEnergy = new double[BinCount]; // sum of the blocks' mean squares
    private double _momentaryMeanSquare = double.NaN;

    /// <summary>Feeds the next samples of both channels (equal lengths).</summary>
    public void Process(ReadOnlySpan<float> left, ReadOnlySpan<float> right)
    {
        if (left.Length != right.Length) throw new ArgumentException("channels differ in length", nameof(right));
        int i = 0;
        while (i < left.Length)
        {
            int n = Math.Min(left.Length - i, StepSamples - _stepFill);
            _stepEnergy += _left.SumOfSquares(left.Slice(i, n)) + _right.SumOfSquares(right.Slice(i, n));
            _stepFill += n;
            i += n;
            if (_stepFill == StepSamples) CloseStep();
        }
    }

    private void CloseStep()
    {
        _steps[(int)(_stepsDone % StepsPerBlock)] = _stepEnergy;
        _stepsDone++;
        _stepEnergy = 0;
        _stepFill = 0;
        if (_stepsDone < StepsPerBlock) return;
        double sum = 0;
        foreach (var s in _steps) sum += s;
        double meanSquare = sum / (StepSamples * StepsPerBlock);
        _momentaryMeanSquare = meanSquare;
        double lufs = ToLufs(meanSquare);
        if (!(lufs > AbsoluteGateLufs)) return;
        int bin = Math.Min(BinCount - 1, (int)((lufs - AbsoluteGateLufs) * BinsPerLu));
        _binCount[bin]++;
        _binEnergy[bin] += meanSquare;
    }

    /// <summary>Loudness of the last complete 400 ms block; −∞ before the first one or in silence.</summary>
    public double MomentaryLufs => double.IsNaN(_momentaryMeanSquare) ? double.NegativeInfinity : ToLufs(_momentaryMeanSquare);

    /// <summary>Gated integrated loudness of everything fed so far; −∞ when no block passes the absolute gate.</summary>
    public double IntegratedLufs
    {
        get
        {
            long count = 0;
            double energy = 0;
            for (int b = 0; b < BinCount; b++)
            {
                count += _binCount[b];
                energy += _binEnergy[b];
            }
            if (count == 0) return double.NegativeInfinity;
            double relativeGate = ToLufs(energy / count) + RelativeGateLu;
            int first = Math.Max(0, (int)Math.Floor((relativeGate - AbsoluteGateLufs) * BinsPerLu));
            count = 0;
            energy = 0;
            for (int b = first; b < BinCount; b++)
            {
                count += _binCount[b];
                energy += _binEnergy[b];
            }
            return count == 0 ? double.NegativeInfinity : ToLufs(energy / count);
        }
    }

    private static double ToLufs(double meanSquare) => meanSquare > 0 ? KOffset + 10 * Math.Log10(meanSquare) : double.NegativeInfinity;

    /// <summary>The two K-weighting biquads of one channel (transposed direct form II, double state).</summary>
    private struct KWeighting
    {
        private double _z1a, _z2a, _z1b, _z2b;

        public double SumOfSquares(ReadOnlySpan<float> x)
        {
            double z1a = _z1a, z2a = _z2a, z1b = _z1b, z2b = _z2b, sum = 0;
            foreach (float s in x)
            {
                double a = S1B0 * s + z1a;
                z1a = S1B1 * s - S1A1 * a + z2a;
                z2a = S1B2 * s - S1A2 * a;
                double b = S2B0 * a + z1b;
                z1b = S2B1 * a - S2A1 * b + z2b;
                z2b = S2B2 * a - S2A2 * b;
                sum += b * b;
            }
            _z1a = z1a; _z2a = z2a; _z1b = z1b; _z2b = z2b;
            return sum;
        }
    }
}
