package io.llmsentinel.sinks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.llmsentinel.functions.config.DeliveryOptions.WhenFull;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A backlog's rules for a full backlog, shed records and restored write times, with a server and a
 * dead-letter topic that answer what each test says.
 */
class OutboxTest {

    /** One dead-letter call: the records, the cause and the detail. */
    record Letter(List<String> records, Outbox.Cause cause, String detail) {}

    private final List<Letter> letters = new CopyOnWriteArrayList<>();
    private final AtomicBoolean topicAway = new AtomicBoolean();
    private final RecordingMetrics metrics = new RecordingMetrics();

    private final Outbox.DeadLetterer<String> topic =
            (records, cause, detail) -> {
                if (topicAway.get()) {
                    throw new IllegalStateException("dead-letter topic away");
                }
                letters.add(new Letter(List.copyOf(records), cause, detail));
            };

    /** A server that is away: every record comes back to be tried again. */
    private static final Outbox.Deliverer<String> AWAY =
            batch -> Collections.nCopies(batch.size(), Outcome.retry("HTTP 503"));

    private static OutboxSettings backlog(int maxItems, WhenFull whenFull) {
        return new OutboxSettings("test", maxItems, 2, 0, whenFull, 20, 200, 120_000, 60_000);
    }

    private Outbox<String> outbox(
            OutboxSettings s,
            Outbox.Deliverer<String> server,
            Collection<Outbox.Pending<String>> restored) {
        return new Outbox<>(s, server, topic, metrics, restored);
    }

    private List<String> deadLettered(Outbox.Cause cause) {
        List<String> out = new ArrayList<>();
        letters.stream().filter(l -> l.cause() == cause).forEach(l -> out.addAll(l.records()));
        return out;
    }

    private static void await(BooleanSupplier done) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (!done.getAsBoolean() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void aFullBacklogShedsNewRecordsToTheDeadLetterTopicAndCountsThem() throws Exception {
        try (Outbox<String> o = outbox(backlog(3, WhenFull.SHED), AWAY, List.of())) {
            assertTimeoutPreemptively(
                    Duration.ofSeconds(5),
                    () -> {
                        for (int i = 0; i < 10; i++) {
                            o.add("r" + i);
                        }
                    });
            await(() -> metrics.count("shed") == 7);
            assertThat(o.pending())
                    .extracting(Outbox.Pending::item)
                    .containsExactly("r0", "r1", "r2");
            assertThat(metrics.gauge("backlog")).isEqualTo(3);
        }
        assertThat(deadLettered(Outbox.Cause.BACKLOG_FULL))
                .containsExactly("r3", "r4", "r5", "r6", "r7", "r8", "r9");
        assertThat(letters)
                .allSatisfy(
                        l ->
                                assertThat(l.detail())
                                        .startsWith("test: backlog full (3 records; server ")
                                        .endsWith("(sinks.delivery.when-full: shed)"));
        assertThat(metrics.count("shed")).isEqualTo(7);
        assertThat(metrics.count("deadLettered")).isEqualTo(7);
        assertThat(metrics.count("dropped")).isZero();
    }

    /**
     * Shed records the dead-letter topic cannot take yet stay in the checkpoint and are tried
     * again; the task goes on.
     */
    @Test
    void shedRecordsWaitInTheCheckpointWhileTheDeadLetterTopicIsAway() throws Exception {
        topicAway.set(true);
        try (Outbox<String> o = outbox(backlog(2, WhenFull.SHED), AWAY, List.of())) {
            for (int i = 0; i < 5; i++) {
                o.add("r" + i);
            }
            Thread.sleep(300); // several failed tries
            assertThat(o.pending())
                    .extracting(Outbox.Pending::item)
                    .containsExactly("r0", "r1", "r2", "r3", "r4");
            assertThat(metrics.gauge("shedPending")).isEqualTo(3);
            assertThat(letters).isEmpty();

            topicAway.set(false);
            await(() -> metrics.count("shed") == 3);
            assertThat(o.pending()).extracting(Outbox.Pending::item).containsExactly("r0", "r1");
            assertThat(metrics.gauge("shedPending")).isEqualTo(0);
        }
        assertThat(deadLettered(Outbox.Cause.BACKLOG_FULL)).containsExactly("r2", "r3", "r4");
    }

    /**
     * Only when the dead-letter topic is away too and the shed records fill their own bound does
     * the writer wait; it goes on as soon as the topic takes them.
     */
    @Test
    void theWriterWaitsOnlyWhenTheShedRecordsFillUpToo() throws Exception {
        topicAway.set(true);
        try (Outbox<String> o = outbox(backlog(1, WhenFull.SHED), AWAY, List.of())) {
            for (int i = 0; i < 1 + Overflow.CAPACITY; i++) {
                o.add("r" + i);
            }
            AtomicBoolean added = new AtomicBoolean();
            Thread writer =
                    new Thread(
                            () -> {
                                try {
                                    o.add("one-more");
                                    added.set(true);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
            writer.start();
            Thread.sleep(300);
            assertThat(added).as("waiting while the topic is away").isFalse();
            topicAway.set(false);
            writer.join(5_000);
            assertThat(added).as("added once the topic took the shed records").isTrue();
            await(() -> metrics.count("shed") == Overflow.CAPACITY + 1);
        }
        assertThat(deadLettered(Outbox.Cause.BACKLOG_FULL)).hasSize(Overflow.CAPACITY + 1);
    }

    @Test
    void waitAndDropOldestAreStillThereForThoseWhoWantThem() throws Exception {
        try (Outbox<String> o = outbox(backlog(3, WhenFull.DROP_OLDEST), AWAY, List.of())) {
            for (int i = 0; i < 6; i++) {
                o.add("r" + i);
            }
            assertThat(o.pending()).hasSize(3);
            assertThat(metrics.count("dropped")).isEqualTo(3);
        }
        assertThat(letters).isEmpty();

        try (Outbox<String> o = outbox(backlog(2, WhenFull.WAIT), AWAY, List.of())) {
            o.add("r0");
            o.add("r1");
            Thread writer =
                    new Thread(
                            () -> {
                                try {
                                    o.add("r2");
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
            writer.start();
            writer.join(500);
            assertThat(writer.isAlive()).as("a full backlog holds the writer back").isTrue();
            assertThat(o.pending()).hasSize(2);
        }
        assertThat(letters).isEmpty();
    }

    @Test
    void sheddingNeedsADeadLetterTopic() {
        assertThatThrownBy(
                        () ->
                                new Outbox<String>(
                                        backlog(3, WhenFull.SHED), AWAY, null, metrics, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dead-letter topic");
    }

    /**
     * A backlog of one with a server that is away and a 300 ms end-of-input wait, holding r0 (in
     * the backlog) and r1, r2 (shed while the dead-letter topic is away).
     */
    private Outbox<String> threeRecordsAtTheEndWithTheTopicAway() throws InterruptedException {
        topicAway.set(true);
        OutboxSettings s =
                new OutboxSettings("test", 1, 2, 0, WhenFull.SHED, 20, 200, 120_000, 300);
        Outbox<String> o = outbox(s, AWAY, List.of());
        o.add("r0");
        o.add("r1");
        o.add("r2");
        return o;
    }

    /** A restored record keeps its write time; one without (a format 1 state) starts now. */
    @Test
    void restoredRecordsKeepTheirWriteTime() throws Exception {
        long now = System.currentTimeMillis();
        try (Outbox<String> o =
                outbox(
                        backlog(10, WhenFull.SHED),
                        AWAY,
                        List.of(
                                new Outbox.Pending<>("old", now - 60_000),
                                new Outbox.Pending<>("unknown", OutboxState.UNKNOWN_WRITE_TIME)))) {
            List<Outbox.Pending<String>> pending = o.pending();
            assertThat(pending).extracting(Outbox.Pending::item).containsExactly("old", "unknown");
            assertThat(pending.get(0).writtenAtMs()).isEqualTo(now - 60_000);
            assertThat(pending.get(1).writtenAtMs()).isGreaterThanOrEqualTo(now);
            assertThat((Long) metrics.gauge("oldestPendingMs")).isGreaterThanOrEqualTo(60_000);
        }
    }

    /** Shed records the topic has not taken by the end of a bounded input are written then. */
    @Test
    void theEndOfTheInputWritesTheShedRecordsItStillHolds() throws Exception {
        try (Outbox<String> o = threeRecordsAtTheEndWithTheTopicAway()) {
            topicAway.set(false);
            o.drainAtEndOfInput();
            assertThat(o.pending()).isEmpty();
        }
        assertThat(deadLettered(Outbox.Cause.BACKLOG_FULL)).containsExactly("r1", "r2");
        assertThat(deadLettered(Outbox.Cause.UNDELIVERABLE)).containsExactly("r0");
        assertThat(letters)
                .filteredOn(l -> l.cause() == Outbox.Cause.UNDELIVERABLE)
                .singleElement()
                .satisfies(
                        l ->
                                assertThat(l.detail())
                                        .contains("end of the input")
                                        .contains("HTTP 503"));
    }

    /**
     * Records that can neither be delivered nor dead-lettered at the end of the input are lost: at
     * least counted as dropped, never gone without a trace.
     */
    @Test
    void whatTheEndOfTheInputCannotDeadLetterIsCountedAsDropped() throws Exception {
        try (Outbox<String> o = threeRecordsAtTheEndWithTheTopicAway()) {
            o.drainAtEndOfInput();
            assertThat(o.pending()).isEmpty();
        }
        assertThat(letters).isEmpty();
        assertThat(metrics.count("dropped")).isEqualTo(3);
    }

    /**
     * A delivery thread that stops on a bug (an Error out of the deliverer) fails the task at its
     * next record, instead of leaving the output stalled and every later record shed.
     */
    @Test
    void aDeliveryThreadThatDiesFailsTheTaskInsteadOfStallingTheOutput() throws Exception {
        Outbox.Deliverer<String> broken =
                batch -> {
                    throw new AssertionError("a bug in the deliverer");
                };
        try (Outbox<String> o = outbox(backlog(10, WhenFull.SHED), broken, List.of())) {
            o.add("r0");
            IllegalStateException thrown = null;
            long deadline = System.currentTimeMillis() + 5_000;
            while (thrown == null && System.currentTimeMillis() < deadline) {
                try {
                    o.add("r");
                    Thread.sleep(10);
                } catch (IllegalStateException e) {
                    thrown = e;
                }
            }
            assertThat(thrown)
                    .as("the task learns that its output stopped")
                    .isNotNull()
                    .hasMessageContaining("the delivery thread stopped")
                    .hasCauseInstanceOf(AssertionError.class);
            assertThat(o.pending()).as("what was not delivered stays in the state").isNotEmpty();
        }
    }
}
