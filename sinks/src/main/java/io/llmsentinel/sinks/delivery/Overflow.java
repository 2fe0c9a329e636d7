package io.llmsentinel.sinks.delivery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a full backlog sheds ({@code sinks.delivery.when-full: shed}): new records on their way to
 * the dead-letter topic with the reason {@value Outbox#BACKLOG_FULL}. A thread of its own puts them
 * there, so neither the output's server (whose every try may hang for its whole timeout) nor the
 * topic holds the task back; until the topic has them they are part of the writer's checkpointed
 * state. It holds the task back only when it is full itself, which takes the dead-letter topic
 * being away as well: the job's own Kafka, without which its input stops too.
 */
final class Overflow<E> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Overflow.class);
    private static final long LOG_EVERY_MS = 10_000;

    /** Shed records waiting for the dead-letter topic before the task waits for it. */
    static final int CAPACITY = 1_000;

    /** Records handed to the dead-letter topic at once (each its own dead letter). */
    static final int BATCH = 500;

    private final String name;
    private final int capacity;
    private final Outbox.DeadLetterer<E> deadLetterer;
    private final Supplier<String> why;
    private final long initialBackoffMs;
    private final long maxBackoffMs;
    private final Counter shed;
    private final Counter deadLettered;
    private final Object lock = new Object();
    private final ArrayDeque<Outbox.Pending<E>> queue = new ArrayDeque<>();
    private List<Outbox.Pending<E>> inFlight = List.of();
    private final Thread thread;
    private volatile boolean running = true;

    /** Why the thread stopped, if it did: the task fails at its next shed record. */
    private volatile Throwable died;

    private boolean ended;
    private int failures;
    private long pausedUntilMs;
    private long lastFailureLogMs;
    private long lastFullLogMs;

    /**
     * @param why the dead letters' detail, asked for when they are written
     * @param shed counts records on the dead-letter topic because the backlog was full
     * @param deadLettered counts every record on the dead-letter topic
     */
    Overflow(
            OutboxSettings settings,
            int capacity,
            Outbox.DeadLetterer<E> deadLetterer,
            Supplier<String> why,
            Counter shed,
            Counter deadLettered) {
        this.name = settings.name();
        this.capacity = capacity;
        this.deadLetterer = deadLetterer;
        this.why = why;
        this.initialBackoffMs = settings.initialBackoffMs();
        this.maxBackoffMs = settings.maxBackoffMs();
        this.shed = shed;
        this.deadLettered = deadLettered;
        this.thread = new Thread(this::run, "shed-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Takes a shed record; waits only while {@code capacity} of them wait for the topic. */
    void add(Outbox.Pending<E> record) throws InterruptedException {
        synchronized (lock) {
            failIfDead();
            while (queue.size() + inFlight.size() >= capacity) {
                failIfDead();
                if (!running || ended) {
                    throw new InterruptedException(name + " is closed");
                }
                long now = System.currentTimeMillis();
                if (now - lastFullLogMs > LOG_EVERY_MS) {
                    lastFullLogMs = now;
                    LOG.warn(
                            "{}: the backlog is full and {} shed record(s) still wait for the"
                                    + " dead-letter topic ({} failed tries in a row); holding"
                                    + " the pipeline back until the topic takes them: check"
                                    + " the Kafka cluster of dead-letter.topic",
                            name,
                            queue.size() + inFlight.size(),
                            failures);
                }
                lock.wait(1000);
            }
            queue.addLast(record);
            lock.notifyAll();
        }
    }

    private void failIfDead() {
        Throwable why = died;
        if (why != null) {
            throw new IllegalStateException(
                    name
                            + ": the thread that dead-letters shed records stopped ("
                            + why
                            + "); failing the task so that it restarts from its last checkpoint",
                    why);
        }
    }

    /** The shed records not yet on the dead-letter topic, oldest first. */
    List<Outbox.Pending<E>> pending() {
        synchronized (lock) {
            List<Outbox.Pending<E>> out = new ArrayList<>(inFlight.size() + queue.size());
            out.addAll(inFlight);
            out.addAll(queue);
            return out;
        }
    }

    int size() {
        synchronized (lock) {
            return queue.size() + inFlight.size();
        }
    }

    /**
     * At the end of a bounded input: waits until {@code deadlineMs} for every shed record to reach
     * the topic, then stops and returns what has not (what is in flight may arrive as well).
     */
    List<Outbox.Pending<E>> drain(long deadlineMs) throws InterruptedException {
        synchronized (lock) {
            pausedUntilMs = 0;
            lock.notifyAll();
            while (queue.size() + inFlight.size() > 0) {
                long wait = deadlineMs - System.currentTimeMillis();
                if (wait <= 0) {
                    break;
                }
                lock.wait(Math.min(wait, 200));
            }
            ended = true;
            List<Outbox.Pending<E>> left = pending();
            queue.clear();
            lock.notifyAll();
            return left;
        }
    }

    private void run() {
        try {
            while (true) {
                List<Outbox.Pending<E>> batch;
                synchronized (lock) {
                    long now = System.currentTimeMillis();
                    while (running && !ended && (queue.isEmpty() || now < pausedUntilMs)) {
                        long wait = queue.isEmpty() ? 1000 : pausedUntilMs - now;
                        lock.wait(Math.max(1, Math.min(wait, 1000)));
                        now = System.currentTimeMillis();
                    }
                    if (!running || ended) {
                        return;
                    }
                    batch = new ArrayList<>(Math.min(BATCH, queue.size()));
                    while (batch.size() < BATCH && !queue.isEmpty()) {
                        batch.add(queue.pollFirst());
                    }
                    inFlight = batch;
                }
                Exception failure = null;
                try {
                    List<E> items = new ArrayList<>(batch.size());
                    batch.forEach(p -> items.add(p.item()));
                    deadLetterer.deadLetter(items, Outbox.Cause.BACKLOG_FULL, why.get());
                } catch (Exception e) {
                    failure = e;
                }
                synchronized (lock) {
                    inFlight = List.of();
                    if (failure == null) {
                        shed.inc(batch.size());
                        deadLettered.inc(batch.size());
                        failures = 0;
                    } else if (!ended) {
                        for (int i = batch.size() - 1; i >= 0; i--) {
                            queue.addFirst(batch.get(i));
                        }
                        failures++;
                        long cap =
                                Math.min(
                                        maxBackoffMs,
                                        initialBackoffMs << Math.min(20, failures - 1));
                        long now = System.currentTimeMillis();
                        pausedUntilMs =
                                now + ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
                        if (now - lastFailureLogMs > LOG_EVERY_MS || failures == 1) {
                            lastFailureLogMs = now;
                            LOG.warn(
                                    "{}: could not put {} shed record(s) on the dead-letter"
                                            + " topic ({}); {} wait, next try in {} ms",
                                    name,
                                    batch.size(),
                                    failure.toString(),
                                    queue.size(),
                                    pausedUntilMs - now);
                        }
                    }
                    lock.notifyAll();
                }
                if (failure instanceof InterruptedException) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            died = e;
            LOG.error(
                    "{}: the thread that dead-letters shed records stopped: {}",
                    name,
                    e.toString(),
                    e);
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        synchronized (lock) {
            lock.notifyAll();
        }
        thread.interrupt();
        thread.join(5_000);
    }
}
