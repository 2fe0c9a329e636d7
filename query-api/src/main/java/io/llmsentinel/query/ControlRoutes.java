package io.llmsentinel.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.llmsentinel.functions.control.ControlCommand;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What is in force and changing it: silences, maintenance windows and rules, as commands on the
 * control topic. Any token reads them; only an admin token changes them, and the command's author
 * is that token's name.
 */
final class ControlRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Null when {@code control.enabled} is false: reads and writes answer 503. */
    private final ControlClient control;

    ControlRoutes(ControlClient control) {
        this.control = control;
    }

    private ControlClient control() {
        if (control == null) {
            throw new Problem(
                    503,
                    "Control topic off",
                    "control.enabled is false: nothing can be changed",
                    null);
        }
        return control;
    }

    void silences(Context ctx) {
        new Params(ctx.queryParamMap()).allowOnly(List.of());
        var state = control().state();
        long now = System.currentTimeMillis();
        List<Object> items = new ArrayList<>();
        for (var c : state.silences(now)) {
            items.add(readJson(c.json));
        }
        for (var c : state.maintenances(now)) {
            items.add(readJson(c.json));
        }
        ctx.json(Map.of("items", items));
    }

    /** A silence, or with {"type": "maintenance"} a maintenance window. */
    void createSilence(Context ctx) throws Exception {
        Caller caller = Caller.of(ctx).requireAdmin();
        CommandBody body =
                CommandBody.read(ctx.body(), CommandBody.Kind.SILENCE, false)
                        .authoredBy(caller, null);
        String type = "maintenance".equals(body.text("type")) ? "maintenance" : "silence";
        String id = body.text("id");
        command(ctx, body, type, id != null ? id : newId(type.equals("silence") ? "s" : "m"), 409);
    }

    void deleteSilence(Context ctx) throws Exception {
        Caller caller = Caller.of(ctx).requireAdmin();
        String id = ctx.pathParam("id");
        Params.checkCommandId(id);
        var state = control().state();
        long now = System.currentTimeMillis();
        boolean maintenance = state.maintenances(now).stream().anyMatch(c -> c.id.equals(id));
        boolean silence = state.silences(now).stream().anyMatch(c -> c.id.equals(id));
        if (!maintenance && !silence) {
            throw Problem.notFound("no silence or maintenance window " + id + " is in force");
        }
        CommandBody body = lift(ctx, caller);
        body.node().put("target", id);
        command(ctx, body, maintenance ? "end_maintenance" : "unsilence", newId("u"), 404);
    }

    void rules(Context ctx) {
        new Params(ctx.queryParamMap()).allowOnly(List.of());
        List<Object> items = new ArrayList<>();
        for (var c : control().state().rules(System.currentTimeMillis())) {
            items.add(readJson(c.json));
        }
        ctx.json(Map.of("items", items));
    }

    void putRule(Context ctx) throws Exception {
        Caller caller = Caller.of(ctx).requireAdmin();
        String id = ctx.pathParam("id");
        Params.checkCommandId(id);
        CommandBody body =
                CommandBody.read(ctx.body(), CommandBody.Kind.RULE, false).authoredBy(caller, null);
        command(ctx, body, "rule", id, 409);
    }

    void deleteRule(Context ctx) throws Exception {
        Caller caller = Caller.of(ctx).requireAdmin();
        String id = ctx.pathParam("id");
        Params.checkCommandId(id);
        if (control().state().rules(System.currentTimeMillis()).stream()
                .noneMatch(c -> c.id.equals(id))) {
            throw Problem.notFound("no rule " + id + " is in force");
        }
        CommandBody body = lift(ctx, caller);
        body.node().put("target", id);
        command(ctx, body, "delete_rule", newId("d"), 404);
    }

    /**
     * The body of a DELETE (it may have none); an {@code author} in it or in the query is kept as
     * {@code on_behalf_of}. Its id is always drawn here: a lift must never share a key with another
     * command, or compaction could drop it (see {@link ControlTopic}).
     */
    private static CommandBody lift(Context ctx, Caller caller) {
        return CommandBody.read(ctx.body(), CommandBody.Kind.LIFT, true)
                .authoredBy(caller, ctx.queryParam("author"));
    }

    /**
     * Completes a command (id, time, type), validates it as the job does, refuses what the job
     * would refuse, sends it, and answers 202 with the command once it is on the topic.
     */
    private void command(Context ctx, CommandBody body, String type, String id, int refusedStatus)
            throws Exception {
        var n = body.node();
        n.put("type", type);
        n.put("id", id);
        n.put("time", Instant.now().toString());
        ControlCommand c;
        try {
            c = ControlCommand.parse(JSON.writeValueAsBytes(n));
        } catch (ControlCommand.InvalidCommand e) {
            throw new Problem(400, "Invalid command", e.getMessage(), null);
        }
        String refusal = control().refusal(c);
        if (refusal != null) {
            throw new Problem(refusedStatus, "Refused", refusal, null);
        }
        control().send(c);
        control().awaitApplied(c.id, 2_000);
        ctx.status(202).contentType("application/json").result(c.json);
    }

    /** 48 random bits: ids drawn for years of commands do not meet (each is a topic key). */
    private static String newId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static Object readJson(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return json;
        }
    }
}
