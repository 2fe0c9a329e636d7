package io.llmsentinel.functions.flink;

import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/** Test harnesses of the keyed functions that obey the control topic (broadcast input 2). */
final class Harnesses {
    private Harnesses() {}

    /** Keyed state entries (heap backend only), as the one-input harness counted them. */
    static int stateEntries(KeyedBroadcastOperatorTestHarness<?, ?, ?, ?> h) {
        var backend =
                ((org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>)
                                h.getTwoInputOperator())
                        .getKeyedStateBackend();
        return ((org.apache.flink.runtime.state.heap.HeapKeyedStateBackend<?>) backend)
                .numKeyValueStateEntries();
    }

    /**
     * One subtask with max parallelism 1, as the one-input harness of earlier versions had, so
     * their stored snapshots map.
     */
    static <IN, OUT> KeyedBroadcastOperatorTestHarness<String, IN, String, OUT> keyed(
            KeyedBroadcastProcessFunction<String, IN, String, OUT> f, KeySelector<IN, String> key)
            throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(f, List.of(ControlBroadcast.STATE)),
                key,
                Types.STRING,
                1,
                1,
                0);
    }
}
