package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.control.ControlCommand;
import io.llmsentinel.functions.control.ControlCommand.InvalidCommand;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.functions.model.RawMessage;
import io.llmsentinel.functions.read.DeadLetters;
import io.llmsentinel.functions.read.InvalidReason;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Reads the control topic: a valid command goes on as its normalized JSON (to be broadcast), an
 * invalid one to {@link #REJECTED} as a dead letter with the reason ({@code invalid_command}),
 * changing nothing. Metrics: {@code sentinel.control.accepted}, {@code .rejected}.
 */
public class ControlCommandReader extends ProcessFunction<RawMessage, String> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> REJECTED =
            new OutputTag<>("rejected-commands", TypeInformation.of(DeadLetter.class));

    private final DeadLetters deadLetters;
    private transient Counter accepted;
    private transient Counter rejected;

    public ControlCommandReader(int maxPayloadBytes) {
        this.deadLetters = new DeadLetters(maxPayloadBytes);
    }

    @Override
    public void open(OpenContext openContext) {
        var g = getRuntimeContext().getMetricGroup().addGroup("sentinel").addGroup("control");
        accepted = g.counter("read");
        rejected = g.counter("rejected");
    }

    @Override
    public void processElement(RawMessage m, Context ctx, Collector<String> out) {
        try {
            ControlCommand c = ControlCommand.parse(m.value == null ? new byte[0] : m.value);
            accepted.inc();
            out.collect(c.json);
        } catch (InvalidCommand e) {
            rejected.inc();
            ctx.output(REJECTED, rejection(deadLetters, m, e.getMessage()));
        }
    }

    static DeadLetter rejection(DeadLetters deadLetters, RawMessage m, String reason) {
        DeadLetter d =
                deadLetters.of(
                        m,
                        List.of(
                                new io.llmsentinel.functions.read.ReadResult.Invalid(
                                        InvalidReason.INVALID_COMMAND, reason)));
        return d;
    }
}
