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
 * themselves, as their JSON (format {@code "v": 1}) under {@link ControlState#stateKey}: an
 * explicit, readable format that savepoints and rescaling carry, from which every instance rebuilds
 * the same {@link ControlState}.
 */
public final class ControlBroadcast {
    private ControlBroadcast() {}

    public static final MapStateDescriptor<String, String> STATE =
            new MapStateDescriptor<>("control-commands", Types.STRING, Types.STRING);

    /** The state the kept commands describe. */
    public static ControlState rebuild(ReadOnlyBroadcastState<String, String> kept)
            throws Exception {
        List<ControlCommand> commands = new ArrayList<>();
        for (Map.Entry<String, String> e : kept.immutableEntries()) {
            try {
                commands.add(ControlCommand.parse(e.getValue().getBytes(StandardCharsets.UTF_8)));
            } catch (InvalidCommand unreadable) {
                // a kept command was valid when kept; a later format change would land here
            }
        }
        return ControlState.of(commands);
    }

    /** Applies a command to the view and to the kept commands; throws, changing nothing. */
    /**
     * Follows one command in an operator that only obeys commands (the detections): the view,
     * rebuilt from the kept commands if {@code view} is null, with the command applied; an invalid
     * command changes nothing (the alert policy reports it).
     */
    public static ControlState follow(
            ControlState view, BroadcastState<String, String> kept, String json) throws Exception {
        ControlState v = view == null ? rebuild(kept) : view;
        try {
            apply(
                    v,
                    kept,
                    ControlCommand.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (ControlCommand.InvalidCommand refused) {
            // reported by the alert policy; here it changes nothing
        }
        return v;
    }

    public static ControlState.Change apply(
            ControlState view, BroadcastState<String, String> kept, ControlCommand c)
            throws Exception {
        ControlState.Change change = view.apply(c);
        if (change.put() != null) {
            kept.put(change.put(), c.json);
        }
        for (String removed : change.removed()) {
            kept.remove(removed);
        }
        return change;
    }
}
