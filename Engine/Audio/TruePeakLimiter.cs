namespace ReelSpeed.Engine.Audio;

/// <summary>
/// A look-ahead true-peak limiter: the output is the input delayed by <see cref="Latency"/>
/// samples, times a gain that is already down to <c>ceiling / truePeak</c> when a peak passes
/// and recovers smoothly afterwards. Below the ceiling the gain is exactly 1 and the signal
/// passes bit for bit.
/// <para>
/// Gain path per sample <c>j</c> (all fixed-size rings, nothing allocated after construction):
/// the needed gain <c>ceiling / peak[j]</c> from the 4x <see cref="TruePeakDetector"/>; its
/// minimum over a window of L + 2G + 1 samples (L = look-ahead, G = <see cref="GuardSamples"/>);
/// a moving average over L samples, which turns each drop into a linear ramp lasting the
/// look-ahead; then an exponential release (<see cref="ReleaseMs"/>) that only slows rises.
/// The average of L window-minima is at most the need of every peak within ±G samples of the
/// output sample, which covers the inter-sample points its FIR neighbours shape.
/// </para>
/// </summary>
internal sealed class TruePeakLimiter
{
    /// <summary>A few milliseconds: enough for a click-free gain ramp, short enough not to duck ahead audibly.</summary>
    public const double LookaheadMs = 5;
    /// <summary>Slow enough that the gain recovery does not modulate low notes.</summary>
    public const double ReleaseMs = 100;
    /// <summary>Half the detector's FIR span: the neighbourhood whose gain shapes an inter-sample peak.</summary>
    public const int GuardSamples = TruePeakDetector.TapsPerPhase / 2;
    private const double ReleaseSnap = 1 - 1e-7;
    /// <summary>
    /// Aimed below the ceiling by this much so float rounding of the gained samples cannot
    /// land a hair above it (inaudible: a hundredth of a dB).
    /// </summary>
    public const double MarginDb = 0.01;

    private readonly double _ceiling;
    /// <summary>The largest float not above <see cref="_ceiling"/>: a block whose peaks cannot pass it needs no gain.</summary>
    private readonly float _skipBelow;
    private readonly int _lookahead;
    private readonly int _window;
    private readonly double _releaseCoeff;
    private readonly TruePeakDetector _detector = new();
    private readonly float[] _peaks = new float[TruePeakDetector.MaxBlock];

    // Delay line of the audio: slot _delayPos holds the sample that leaves next.
    private readonly float[] _delayL, _delayR;
    private int _delayPos;

    // Monotonic deque (ring) of needed gains for the sliding minimum: values increase from head.
    private readonly long[] _dqIndex;
    private readonly double[] _dqValue;
    private int _dqHead, _dqCount;

    // Ring of the last L window-minima and their running sum, for the moving average.
    private readonly double[] _box;
    private int _boxPos;
    private double _boxSum;

    private double _gain = 1;
    private long _index;

    public TruePeakLimiter(double ceilingDbtp)
    {
        _ceiling = Math.Pow(10, (ceilingDbtp - MarginDb) / 20);
        _skipBelow = (float)_ceiling > _ceiling ? MathF.BitDecrement((float)_ceiling) : (float)_ceiling;
        _lookahead = (int)Math.Round(LookaheadMs * AudioMix.SamplesPerMs);
        _window = _lookahead + 2 * GuardSamples + 1;
        _releaseCoeff = 1 - Math.Exp(-1 / (ReleaseMs * AudioMix.SamplesPerMs));
        Latency = _lookahead + GuardSamples + TruePeakDetector.DelaySamples;
        _delayL = new float[Latency];
        _delayR = new float[Latency];
        _dqIndex = new long[_window];
        _dqValue = new double[_window];
        _box = new double[_lookahead];
        _box.AsSpan().Fill(1);
        _boxSum = _lookahead;
    }

    /// <summary>Samples by which the output trails the input.</summary>
    public int Latency { get; }

    /// <summary>Linear level the output's true peak is held under (the ceiling less <see cref="MarginDb"/>).</summary>
    public double Ceiling => _ceiling;

    /// <summary>
    /// Takes the next input samples and writes as many output samples (the input of
    /// <see cref="Latency"/> samples earlier, limited). Outputs may alias inputs.
    /// </summary>
    public void Process(ReadOnlySpan<float> inL, ReadOnlySpan<float> inR, Span<float> outL, Span<float> outR)
    {
        for (int start = 0; start < inL.Length; start += TruePeakDetector.MaxBlock)
        {
            int n = Math.Min(TruePeakDetector.MaxBlock, inL.Length - start);
            var peaks = _peaks.AsSpan(0, n);
            // Where no point can pass the ceiling the gain needed is 1 throughout: zeros say so.
            if (!_detector.DetectAbove(inL.Slice(start, n), inR.Slice(start, n), peaks, _skipBelow)) peaks.Clear();
            for (int i = 0; i < n; i++)
            {
                float peak = peaks[i];
                double need = peak > _ceiling ? _ceiling / peak : 1.0;
                double windowMin = SlidingMin(need);
                double smoothed = MovingAverage(windowMin);
                // Falls are already ramped by the average; rises are slowed to the release.
                _gain = smoothed < _gain ? smoothed : _gain + (smoothed - _gain) * _releaseCoeff;
                // The release approaches 1 geometrically and would never reach it in floating
                // point; snapping the last −0.000001 dB restores exact pass-through.
                if (smoothed == 1.0 && _gain > ReleaseSnap) _gain = 1.0;

                float l = inL[start + i], r = inR[start + i];
                float dl = _delayL[_delayPos], dr = _delayR[_delayPos];
                _delayL[_delayPos] = l;
                _delayR[_delayPos] = r;
                if (++_delayPos == _delayL.Length) _delayPos = 0;
                if (_gain == 1.0)
                {
                    outL[start + i] = dl;
                    outR[start + i] = dr;
                }
                else
                {
                    outL[start + i] = (float)(dl * _gain);
                    outR[start + i] = (float)(dr * _gain);
                }
                _index++;
            }
        }
    }

    private double SlidingMin(double value)
    {
        int cap = _dqValue.Length;
        while (_dqCount > 0 && _dqValue[(_dqHead + _dqCount - 1) % cap] >= value) _dqCount--;
        int tail = (_dqHead + _dqCount) % cap;
        _dqIndex[tail] = _index;
        _dqValue[tail] = value;
        _dqCount++;
        while (_dqIndex[_dqHead] <= _index - _window)
        {
            _dqHead = (_dqHead + 1) % cap;
            _dqCount--;
        }
        return _dqValue[_dqHead];
    }

    private double MovingAverage(double value)
    {
        _boxSum += value - _box[_boxPos];
        _box[_boxPos] = value;
        if (++_boxPos == _box.Length)
        {
            // Re-sum once per cycle so rounding cannot drift the gain away from exactly 1.
            _boxPos = 0;
            double sum = 0;
            foreach (double v in _box) sum += v;
            _boxSum = sum;
        }
        return Math.Min(1.0, _boxSum / _box.Length);
    }
}
