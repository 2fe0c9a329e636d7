package io.llmsentinel.devtools.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether the job's footprint stayed flat over the soak: TaskManager heap right after a full GC and
 * the checkpoint's full size, at the start mark (after the warm-up) and the end mark. The heap is
 * judged summed over the TaskManagers: a killed TaskManager comes back empty while its tasks run on
 * the other one, so each alone moves by the tasks it gained or lost; each is still listed.
 *
 * @param within the growth (as a share of the start) still called flat
 */
record Flatness(ClusterSample start, ClusterSample end, double within) {

    long heapStart() {
        return start.taskManagers().stream().mapToLong(ClusterSample.TaskManager::heapUsed).sum();
    }

    long heapEnd() {
        return end.taskManagers().stream().mapToLong(ClusterSample.TaskManager::heapUsed).sum();
    }

    static double growth(long from, long to) {
        return from <= 0 ? Double.NaN : (to - from) / (double) from;
    }

    boolean heapFlat() {
        return growth(heapStart(), heapEnd()) <= within;
    }

    boolean checkpointFlat() {
        return start.checkpointStateSize() > 0
                && growth(start.checkpointStateSize(), end.checkpointStateSize()) <= within;
    }

    boolean flat() {
        return heapFlat() && checkpointFlat();
    }

    List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add(
                String.format(
                        Locale.ROOT,
                        "heap after a full GC, all TaskManagers: %.1f MB -> %.1f MB (%+.1f%%) %s",
                        heapStart() / 1e6,
                        heapEnd() / 1e6,
                        100 * growth(heapStart(), heapEnd()),
                        heapFlat() ? "flat" : "GREW"));
        for (ClusterSample.TaskManager s : start.taskManagers()) {
            ClusterSample.TaskManager e =
                    end.taskManagers().stream()
                            .filter(x -> x.index() == s.index())
                            .findFirst()
                            .orElse(null);
            if (e == null) {
                out.add("  TaskManager " + s.index() + ": gone at the end");
                continue;
            }
            out.add(
                    String.format(
                            Locale.ROOT,
                            "  TaskManager %d%s: heap %.1f -> %.1f MB, slots used %d -> %d,"
                                    + " threads %d -> %d, resident %.0f -> %.0f MB",
                            s.index(),
                            e.startedAtMs() != s.startedAtMs() ? " (started again)" : "",
                            s.heapUsed() / 1e6,
                            e.heapUsed() / 1e6,
                            s.slotsUsed(),
                            e.slotsUsed(),
                            s.threads(),
                            e.threads(),
                            s.rssBytes() / 1e6,
                            e.rssBytes() / 1e6));
        }
        out.add(
                String.format(
                        Locale.ROOT,
                        "checkpoint full size: %.2f MB -> %.2f MB (%+.1f%%) %s",
                        start.checkpointStateSize() / 1e6,
                        end.checkpointStateSize() / 1e6,
                        100 * growth(start.checkpointStateSize(), end.checkpointStateSize()),
                        checkpointFlat() ? "flat" : "GREW"));
        out.add(
                String.format(
                        Locale.ROOT,
                        "flat means: each grew by at most %.0f%% of its start value",
                        100 * within));
        return out;
    }
}
