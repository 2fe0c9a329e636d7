package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.control.ControlCommand;
import io.llmsentinel.functions.control.ControlCommand.InvalidCommand;
import io.llmsentinel.functions.control.ControlState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The broadcast state of control commands, shared by the operators that obey them (detection,
 * windowed detection, the alert policy), each with its own copy. It keeps the commands in force
 * themselves, as their JSON (format {@code "v": 1}) under {@link ControlState#stateKey} (kind and
 * id): an explicit, readable format that savepoints and rescaling carry, from which every instance
 * rebuilds the same {@link ControlState}.
 *
 * <p>Bounded: acknowledgements and labels are never kept, and every command applied also drops what
 * has ended (silences, maintenance windows and rules past their end) and what older releases kept
 * (acknowledgements and labels; commands under their bare id, now under kind and id).
 */
public final class ControlBroadcast {
    private ControlBroadcast() {}

    public static final MapStateDescriptor<String, String> STATE =
            new MapStateDescriptor<>("control-commands", Types.STRING, Types.STRING);

    /** The state the kept commands describe, without what has ended by {@code nowMs}. */
    public static ControlState rebuild(ReadOnlyBroadcastState<String, String> kept, long nowMs)
            throws Exception {
        List<ControlCommand> commands = new ArrayList<>();
        for (Map.Entry<String, String> e : kept.immutableEntries()) {
            ControlCommand c = readKept(e.getValue());
            if (c != null) {
                commands.add(c);
            }
        }
        ControlState s = ControlState.of(commands);
        s.expire(nowMs);
        return s;
    }

    /**
     * Follows one command in an operator that only obeys commands (the detections): the view,
     * rebuilt from the kept commands if {@code view} is null, with the command applied; an invalid
     * command changes nothing (the alert policy reports it).
     */
    public static ControlState follow(
            ControlState view, BroadcastState<String, String> kept, String json, long nowMs)
            throws Exception {
        ControlState v = view == null ? rebuild(kept, nowMs) : view;
        try {
            apply(v, kept, ControlCommand.parse(json.getBytes(StandardCharsets.UTF_8)), nowMs);
        } catch (ControlCommand.InvalidCommand refused) {
            // reported by the alert policy; here it changes nothing
        }
        return v;
    }

    /** Applies a command to the view and to the kept commands; throws, changing nothing. */
    public static ControlState.Change apply(
            ControlState view, BroadcastState<String, String> kept, ControlCommand c, long nowMs)
            throws Exception {
        ControlState.Change change = view.apply(c);
        if (change.put() != null) {
            kept.put(change.put(), c.json);
        }
        for (String removed : change.removed()) {
            kept.remove(removed);
        }
        view.expire(nowMs);
        tidy(kept, nowMs);
        return change;
    }

    /**
     * Drops from the kept commands what has ended and what is not kept any more, and moves commands
     * kept under their bare id (0.3) to their kind and id. Commands are rare, so reading every kept
     * one here is cheap; the per-event path never does.
     */
    private static void tidy(BroadcastState<String, String> kept, long nowMs) throws Exception {
        List<String> drop = new ArrayList<>();
        Map<String, String> move = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : kept.entries()) {
            ControlCommand c = readKept(e.getValue());
            String key = c == null ? null : ControlState.stateKey(c);
            if (key == null || c.untilMs <= nowMs) {
                drop.add(e.getKey());
            } else if (!key.equals(e.getKey())) {
                drop.add(e.getKey());
                move.put(key, e.getValue());
            }
        }
        for (String k : drop) {
            kept.remove(k);
        }
        for (Map.Entry<String, String> e : move.entrySet()) {
            kept.put(e.getKey(), e.getValue());
        }
    }

    private static ControlCommand readKept(String json) {
        try {
            return ControlCommand.parse(json.getBytes(StandardCharsets.UTF_8));
        } catch (InvalidCommand unreadable) {
            return null; // a kept command was valid when kept; a later format change lands here
        }
    }
}
