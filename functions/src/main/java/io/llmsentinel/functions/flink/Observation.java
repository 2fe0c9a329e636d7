package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.detect.KeyBaseline;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.WindowInput;
import io.llmsentinel.functions.model.WindowStats;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What the keyed detection receives for a key: a request (a model call, judged and counted in its
 * window, or a tool execution, only counted), a metric interval (counted in its window), or, once
 * after an upgrade from a release that counted windows in operators of their own, what those kept
 * for the key: a window's counts, or the windows' baselines ({@link EarlierWindowCounts}, {@link
 * EarlierWindowBaselines}). Exactly one of the fields is set, as {@link #kind} says.
 */
@TypeInfo(ExplicitTypeInfo.ForObservation.class)
public final class Observation {
    public enum Kind {
        REQUEST,
        METRIC_INTERVAL,
        EARLIER_WINDOW,
        EARLIER_WINDOW_BASELINE
    }

    public Kind kind;
    public LlmRequest request;
    public WindowInput interval;

    /** A window counted by an earlier release (its bounds set). */
    public WindowStats window;

    /** The windows' baselines an earlier release kept. */
    public KeyBaseline windowBaseline;

    /** The key of an earlier release's window or baseline (requests and intervals carry theirs). */
    public String key;

    public Observation() {}

    public static Observation of(LlmRequest r) {
        Observation o = new Observation();
        o.kind = Kind.REQUEST;
        o.request = r;
        return o;
    }

    public static Observation of(WindowInput interval) {
        Observation o = new Observation();
        o.kind = Kind.METRIC_INTERVAL;
        o.interval = interval;
        return o;
    }

    public static Observation earlierWindow(String key, WindowStats counts) {
        Observation o = new Observation();
        o.kind = Kind.EARLIER_WINDOW;
        o.key = key;
        o.window = counts;
        return o;
    }

    public static Observation earlierWindowBaseline(String key, KeyBaseline baseline) {
        Observation o = new Observation();
        o.kind = Kind.EARLIER_WINDOW_BASELINE;
        o.key = key;
        o.windowBaseline = baseline;
        return o;
    }
}
