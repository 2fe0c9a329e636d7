package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.alert.AlertLinks;
import io.llmsentinel.functions.alert.AlertPolicy;
import io.llmsentinel.functions.alert.AlertState;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.control.ControlCommand;
import io.llmsentinel.functions.control.ControlCommand.InvalidCommand;
import io.llmsentinel.functions.control.ControlState;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.functions.model.RawMessage;
import io.llmsentinel.functions.read.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by (key, metric): lets {@link AlertPolicy} decide which anomalies interrupt a person, and
 * resolves open alerts on an event-time timer. State ({@link AlertStateSerializer}, explicit and
 * versioned) exists only while a metric has recent anomalies (the evidence) or an open alert; one
 * timer per key and metric, set when the state appears and re-armed lazily when it fires, so a
 * storm of anomalies costs no timer churn; the state goes when its evidence has aged out. Metrics:
 * {@code alerts.opened}, {@code escalated}, {@code resolved}, {@code repeats} (held back), {@code
 * ignored} (anomalies that opened nothing yet), {@code warmingUp} (anomalies of baselines too young
 * to alert on).
 *
 * <p>It obeys the control topic (broadcast, {@link ControlBroadcast}): an anomaly of a key under a
 * silence or a maintenance window (at its detection time) does not reach the policy, so no alert
 * opens or escalates ({@code alerts.silenced}); an alert already open resolves as usual. The first
 * subtask reports each command it applied or refused as an audit event ({@link #AUDIT}: JSON,
 * {@code "record_type": "audit"}) and a refused one as a dead letter ({@link #REJECTED}); it counts
 * labels ({@code labels.true_positive}, {@code labels.false_positive}) without keeping them.
 *
 * <p>It runs in the operator slot of 0.2's alert deduplicator (the same uid), so a 0.2 savepoint
 * maps; the deduplicator's short-lived state there is not read. A 0.3 open alert (state format 1)
 * is restored and resolves as before.
 */
public class AlertPolicyFunction
        extends KeyedBroadcastProcessFunction<String, Anomaly, String, AlertEvent> {
    private static final long serialVersionUID = 1L;

    public static final String STATE_NAME = "alert-policy";

    /** Every control command applied or refused, as one JSON line each (first subtask only). */
    public static final OutputTag<String> AUDIT = new OutputTag<>("audit", Types.STRING);

    /** Control commands refused because they refer to nothing in force. */
    public static final OutputTag<DeadLetter> REJECTED =
            new OutputTag<>("refused-commands", TypeInformation.of(DeadLetter.class));

    private final AlertPolicy policy;
    private final long stateTtlMs;
    private final AlertLinks links;
    private transient ValueState<AlertState> state;
    private transient Counter opened;
    private transient Counter escalated;
    private transient Counter resolved;
    private transient Counter repeats;
    private transient Counter ignored;
    private transient Counter warmingUp;
    private transient Counter silenced;
    private transient Counter truePositives;
    private transient Counter falsePositives;
    private transient ControlState control;
    private transient boolean reports;
    private transient DeadLetters deadLetters;

    public AlertPolicyFunction(AlertPolicy policy, long stateTtlMs) {
        this(policy, stateTtlMs, AlertLinks.NONE);
    }

    /** With exemplar links and runbooks on every alert change ({@link AlertLinks}). */
    public AlertPolicyFunction(AlertPolicy policy, long stateTtlMs, AlertLinks links) {
        this.policy = policy;
        this.stateTtlMs = stateTtlMs;
        this.links = links;
    }

    /** Alerts are per key and metric, whatever the anomaly type. */
    public static String alertKey(Anomaly a) {
        return String.join(
                "\u001f",
                String.valueOf(a.service),
                String.valueOf(a.model),
                String.valueOf(a.provider),
                String.valueOf(a.operation),
                String.valueOf(a.environment),
                String.valueOf(a.namespace),
                a.metric);
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<AlertState> d =
                new ValueStateDescriptor<>(STATE_NAME, AlertStateSerializer.INSTANCE);
        if (stateTtlMs > 0) {
            d.enableTimeToLive(
                    StateTtlConfig.newBuilder(Duration.ofMillis(stateTtlMs))
                            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                            .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                            .build());
        }
        state = getRuntimeContext().getState(d);
        MetricGroup alerts =
                getRuntimeContext().getMetricGroup().addGroup("sentinel").addGroup("alerts");
        opened = alerts.counter("opened");
        escalated = alerts.counter("escalated");
        resolved = alerts.counter("resolved");
        repeats = alerts.counter("repeats");
        ignored = alerts.counter("ignored");
        warmingUp = alerts.counter("warmingUp");
        silenced = alerts.counter("silenced");
        MetricGroup labels =
                getRuntimeContext().getMetricGroup().addGroup("sentinel").addGroup("labels");
        truePositives = labels.counter("true_positive");
        falsePositives = labels.counter("false_positive");
        reports = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
        deadLetters = new DeadLetters(64 * 1024);
    }

    private ControlState control(ReadOnlyContext ctx) throws Exception {
        if (control == null) {
            control =
                    ControlBroadcast.rebuild(
                            ctx.getBroadcastState(ControlBroadcast.STATE),
                            ctx.currentProcessingTime());
        }
        return control;
    }

    @Override
    public void processElement(Anomaly a, ReadOnlyContext ctx, Collector<AlertEvent> out)
            throws Exception {
        ControlState c = control(ctx);
        c.expireIfDue(ctx.currentProcessingTime());
        if (c.hasMutes()
                && c.mutedBy(
                                a.service,
                                a.model,
                                a.provider,
                                a.operation,
                                a.environment,
                                a.metric,
                                a.detectedAtMs)
                        != null) {
            silenced.inc();
            return;
        }
        AlertPolicy.Decision d = policy.onAnomaly(state.value(), a);
        switch (d.outcome()) {
            case WARMING_UP -> warmingUp.inc();
            case EVIDENCE -> ignored.inc();
            case REPEAT -> repeats.inc();
            case OPENED -> opened.inc();
            case ESCALATED -> escalated.inc();
        }
        AlertState st = d.state();
        if (st == null || d.outcome() == AlertPolicy.Outcome.WARMING_UP) {
            return;
        }
        long due = policy.nextTimer(st);
        if (st.timerAtMs == 0 || due < st.timerAtMs) {
            st.timerAtMs = due;
            ctx.timerService().registerEventTimeTimer(due);
        }
        state.update(st);
        if (d.event() != null) {
            out.collect(links.applyTo(d.event()));
        }
    }

    @Override
    public void processBroadcastElement(String json, Context ctx, Collector<AlertEvent> out)
            throws Exception {
        ControlCommand command = ControlCommand.parse(json.getBytes(StandardCharsets.UTF_8));
        if (control == null) {
            control =
                    ControlBroadcast.rebuild(
                            ctx.getBroadcastState(ControlBroadcast.STATE),
                            ctx.currentProcessingTime());
        }
        try {
            ControlState.Change change =
                    ControlBroadcast.apply(
                            control,
                            ctx.getBroadcastState(ControlBroadcast.STATE),
                            command,
                            ctx.currentProcessingTime());
            if (reports) {
                if (command.type == ControlCommand.Type.FEEDBACK) {
                    ("true_positive".equals(command.label) ? truePositives : falsePositives).inc();
                }
                ctx.output(AUDIT, audit(command, "applied", change.summary()));
            }
        } catch (InvalidCommand refused) {
            if (reports) {
                ctx.output(AUDIT, audit(command, "refused", refused.getMessage()));
                RawMessage m = new RawMessage();
                m.topic = "control";
                m.value = json.getBytes(StandardCharsets.UTF_8);
                ctx.output(
                        REJECTED,
                        ControlCommandReader.rejection(deadLetters, m, refused.getMessage()));
            }
        }
    }

    /** An audit event: what a control command did, or why it was refused. */
    static String audit(ControlCommand c, String outcome, String summary) {
        var node = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        node.put("schema_version", 1);
        node.put("record_type", "audit");
        node.put("command_id", c.id);
        node.put("type", c.type.code());
        node.put("author", c.author);
        node.put("time", Instant.ofEpochMilli(c.timeMs).toString());
        node.put("applied_at", Instant.now().toString());
        node.put("outcome", outcome);
        node.put("summary", summary);
        try {
            node.set("command", new com.fasterxml.jackson.databind.ObjectMapper().readTree(c.json));
        } catch (java.io.IOException e) {
            node.put("command", c.json);
        }
        return node.toString();
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertEvent> out)
            throws Exception {
        AlertState st = state.value();
        if (st == null) {
            return;
        }
        AlertPolicy.Tick tick = policy.onTime(st, timestamp);
        if (tick.resolved() != null) {
            resolved.inc();
            out.collect(links.applyTo(tick.resolved()));
        }
        if (!tick.keep()) {
            state.clear();
            return;
        }
        if (timestamp >= st.timerAtMs) { // the timer kept in state has fired: arm the next one
            st.timerAtMs = policy.nextTimer(st);
            ctx.timerService().registerEventTimeTimer(st.timerAtMs);
            state.update(st);
        }
    }
}
