package io.llmsentinel.devtools.soak;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The job and its TaskManagers at one moment, as the REST API shows them: one line of the soak's
 * {@code samples.jsonl} (every few seconds), or of {@code marks.jsonl} (the start and the end, each
 * TaskManager's heap measured right after a full GC, so it is what the heap holds and not garbage
 * waiting for a collection).
 *
 * @param mark "start" or "end" for a mark; null for a periodic sample
 * @param restarts the job's numRestarts metric: restarts since it was submitted
 * @param checkpointStateSize the latest completed checkpoint's full state size, in bytes
 * @param checkpointedSize what that checkpoint wrote (incremental), in bytes
 */
record ClusterSample(
        @JsonProperty("mark") String mark,
        @JsonProperty("at_ms") long atMs,
        @JsonProperty("job_state") String jobState,
        @JsonProperty("restarts") long restarts,
        @JsonProperty("checkpoints_completed") long checkpointsCompleted,
        @JsonProperty("checkpoints_failed") long checkpointsFailed,
        @JsonProperty("checkpoint_id") long checkpointId,
        @JsonProperty("checkpoint_state_size") long checkpointStateSize,
        @JsonProperty("checkpointed_size") long checkpointedSize,
        @JsonProperty("task_managers") List<TaskManager> taskManagers) {

    /**
     * One TaskManager.
     *
     * @param index its number in scripts/cluster.sh (1, 2, ...), 0 if its id does not say
     * @param startedAtMs when this process started (from its resource id), to tell a TaskManager
     *     started again apart from the one before it
     * @param slotsUsed its slots the job holds: which TaskManager runs the job's tasks
     * @param rssBytes the process's resident memory (heap, RocksDB and the rest), 0 if unknown
     */
    record TaskManager(
            @JsonProperty("id") String id,
            @JsonProperty("index") int index,
            @JsonProperty("started_at_ms") long startedAtMs,
            @JsonProperty("slots_used") int slotsUsed,
            @JsonProperty("heap_used") long heapUsed,
            @JsonProperty("heap_max") long heapMax,
            @JsonProperty("threads") long threads,
            @JsonProperty("rss_bytes") long rssBytes) {}
}
