package io.llmsentinel.devtools.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one {@link ClusterSample} of the soak's job from the local session cluster; for a mark,
 * first runs a full GC in every TaskManager ({@code jcmd PID GC.run}, by the PID files of
 * scripts/cluster.sh) so that heap used is what the heap holds.
 */
final class ClusterProbe {
    private static final String HEAP_USED = "Status.JVM.Memory.Heap.Used";
    private static final String HEAP_MAX = "Status.JVM.Memory.Heap.Max";
    private static final String THREADS = "Status.JVM.Threads.Count";

    /** PID files looked for: taskmanager.pid, taskmanager-2.pid, ... */
    private static final int MAX_TASK_MANAGERS = 8;

    /** scripts/cluster.sh names TaskManager I {@code localhost-tm-I-<epoch seconds>}. */
    private static final Pattern RESOURCE_ID = Pattern.compile("localhost-tm-(\\d+)-(\\d+)");

    private final FlinkRest rest;
    private final String jobId;
    private final Path flinkDir;

    ClusterProbe(FlinkRest rest, String jobId, Path flinkDir) {
        this.rest = rest;
        this.jobId = jobId;
        this.flinkDir = flinkDir;
    }

    ClusterSample sample(String mark) throws IOException, InterruptedException {
        long at = System.currentTimeMillis();
        String state = rest.get("/jobs/" + jobId).path("state").asText("UNKNOWN");
        long restarts =
                rest.metrics("/jobs/" + jobId + "/metrics", "numRestarts").get("numRestarts");
        JsonNode checkpoints = rest.get("/jobs/" + jobId + "/checkpoints");
        JsonNode latest = checkpoints.path("latest").path("completed");
        List<ClusterSample.TaskManager> tms = new ArrayList<>();
        for (JsonNode tm : rest.get("/taskmanagers").path("taskmanagers")) {
            String id = tm.path("id").asText();
            Map<String, Long> m =
                    rest.metrics("/taskmanagers/" + id + "/metrics", HEAP_USED, HEAP_MAX, THREADS);
            Matcher rid = RESOURCE_ID.matcher(id);
            int index = rid.matches() ? Integer.parseInt(rid.group(1)) : 0;
            long started = rid.matches() ? Long.parseLong(rid.group(2)) * 1000 : 0;
            tms.add(
                    new ClusterSample.TaskManager(
                            id,
                            index,
                            started,
                            tm.path("slotsNumber").asInt() - tm.path("freeSlots").asInt(),
                            m.get(HEAP_USED),
                            m.get(HEAP_MAX),
                            m.get(THREADS),
                            rss(index)));
        }
        tms.sort((a, b) -> Integer.compare(a.index(), b.index()));
        return new ClusterSample(
                mark,
                at,
                state,
                restarts,
                checkpoints.path("counts").path("completed").asLong(),
                checkpoints.path("counts").path("failed").asLong(),
                latest.path("id").asLong(-1),
                latest.path("state_size").asLong(-1),
                latest.path("checkpointed_size").asLong(-1),
                tms);
    }

    /**
     * A mark: a checkpoint completed from now on (so its size is the state now, not a minute ago),
     * and each TaskManager's heap right after a full GC.
     */
    ClusterSample mark(String name) throws IOException, InterruptedException {
        fullGc();
        long after = System.currentTimeMillis();
        long deadline = after + 60_000;
        while (System.currentTimeMillis() < deadline) {
            JsonNode latest =
                    rest.get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
            if (latest.path("latest_ack_timestamp").asLong() > after) {
                break;
            }
            Thread.sleep(1_000);
        }
        // Again, right before the sample: what a checkpoint's wait allocated is not counted. The
        // metrics fetcher refreshes every second.
        fullGc();
        Thread.sleep(2_500);
        return sample(name);
    }

    private void fullGc() throws IOException, InterruptedException {
        for (int index = 1; index <= MAX_TASK_MANAGERS; index++) {
            Long pid = pid(index);
            if (pid == null) {
                continue;
            }
            Process gc =
                    new ProcessBuilder("jcmd", Long.toString(pid), "GC.run")
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
            if (!gc.waitFor(60, TimeUnit.SECONDS)) {
                gc.destroyForcibly();
                throw new IOException("jcmd " + pid + " GC.run did not return within 60 s");
            }
        }
    }

    private Long pid(int index) {
        Path file =
                flinkDir.resolve(index == 1 ? "taskmanager.pid" : "taskmanager-" + index + ".pid");
        try {
            long pid = Long.parseLong(Files.readString(file).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() ? pid : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** VmRSS of TaskManager {@code index}, in bytes; 0 when unknown. */
    private long rss(int index) {
        Long pid = pid(index);
        if (pid == null) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid.toString(), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
