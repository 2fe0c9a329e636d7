package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.detect.KeyBaseline;
import io.llmsentinel.functions.model.WindowStats;
import java.util.Arrays;

/**
 * What one request of a key touches, in one keyed state value read and written once per request:
 * the baselines of the per-request metrics and the counts of the key's open event-time windows
 * (usually one; two around a window's end while late spans may still come; more while a backlog is
 * read). The windows' own baselines are apart ({@code window-baseline}), touched once per window.
 */
public final class KeyState {
    /** The per-request metrics' baselines; null until the key's first model call. */
    public KeyBaseline requests;

    /**
     * The latest event time of a backlog request waiting for the watermark (0: none): until the
     * watermark passes it, the key's newer requests wait too, so they are judged after the backlog
     * that comes before them, against a baseline that has learned it.
     */
    public long backlogUntilMs;

    /** Open windows by start, oldest first. */
    WindowStats[] windows = NONE;

    private static final WindowStats[] NONE = new WindowStats[0];

    /** The open window starting at {@code startMs}, or null. */
    public WindowStats window(long startMs) {
        for (WindowStats w : windows) {
            if (w.windowStartMs == startMs) {
                return w;
            }
        }
        return null;
    }

    /** Opens the window {@code [startMs, endMs)}, keeping the windows in order of start. */
    public WindowStats open(long startMs, long endMs) {
        WindowStats w = new WindowStats();
        w.windowStartMs = startMs;
        w.windowEndMs = endMs;
        int at = 0;
        while (at < windows.length && windows[at].windowStartMs < startMs) {
            at++;
        }
        WindowStats[] grown = new WindowStats[windows.length + 1];
        System.arraycopy(windows, 0, grown, 0, at);
        grown[at] = w;
        System.arraycopy(windows, at, grown, at + 1, windows.length - at);
        windows = grown;
        return w;
    }

    /** Removes and returns the windows that end by {@code endMs}, oldest first. */
    public WindowStats[] closeEndingBy(long endMs) {
        int n = 0;
        while (n < windows.length && windows[n].windowEndMs <= endMs) {
            n++;
        }
        if (n == 0) {
            return NONE;
        }
        WindowStats[] closed = Arrays.copyOf(windows, n);
        windows = Arrays.copyOfRange(windows, n, windows.length);
        return closed;
    }

    public int openWindows() {
        return windows.length;
    }
}
