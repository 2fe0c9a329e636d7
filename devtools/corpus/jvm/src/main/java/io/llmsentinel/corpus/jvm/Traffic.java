package io.llmsentinel.corpus.jvm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load: for every (service, model) key, calls arrive as a Poisson process at the key's own rate
 * (drawn between the minimum and maximum from the seed), slowly swaying by a quarter over a few
 * minutes as real traffic does ({@code --key-rate} sets a key's rate instead). Each call is
 * non-streaming, streaming with usage, or streaming without usage, by fixed shares. Calls run
 * concurrently on a pool, so a slow call never holds back the next arrival.
 */
final class Traffic {
    private static final String[] QUESTIONS = {
        "Where is my order?",
        "Can I return a jacket I bought three weeks ago if I have lost the receipt?",
        "Summarise our shipping policy for international customers in three bullet points.",
        "Write a short apology to a customer whose parcel arrived damaged, offering a refund or"
                + " a replacement, and explain how to send photos of the damage.",
        "Which of these two laptops is better for video editing: one with 16 GB of memory and a"
                + " faster processor, or one with 32 GB and a slower processor? Explain briefly.",
        "Translate 'thank you for your patience' into French, German and Spanish.",
    };

    private final Map<String, AssistantCall> services;
    private final List<String> models;
    private final long seed;
    private final double rateMin;
    private final double rateMax;
    private final Map<String, Double> keyRates;
    private final double streamShare;
    private final double usageShareOfStreams;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger abandoned = new AtomicInteger();

    Traffic(
            Map<String, AssistantCall> services,
            List<String> models,
            long seed,
            double rateMin,
            double rateMax,
            Map<String, Double> keyRates,
            double streamShare,
            double usageShareOfStreams) {
        this.services = services;
        this.models = models;
        this.seed = seed;
        this.rateMin = rateMin;
        this.rateMax = rateMax;
        this.keyRates = keyRates;
        this.streamShare = streamShare;
        this.usageShareOfStreams = usageShareOfStreams;
    }

    /**
     * Sends calls from {@code startMs} (or from now, if that has passed) until {@code startMs +
     * durationMs}, then waits up to {@code drainMs} for the ones still running.
     */
    void run(long startMs, long durationMs, long drainMs) throws InterruptedException {
        ExecutorService pool = Executors.newCachedThreadPool(daemon("call"));
        List<Thread> arrivals = new ArrayList<>();
        sleepUntil(startMs);
        long start = Math.max(startMs, System.currentTimeMillis());
        long end = startMs + durationMs;
        SplittableRandom seeds = new SplittableRandom(seed);
        for (Map.Entry<String, AssistantCall> service : services.entrySet()) {
            for (String model : models) {
                SplittableRandom random = seeds.split();
                double drawn = rateMin + (rateMax - rateMin) * random.nextDouble();
                double rate = keyRates.getOrDefault(service.getKey() + "/" + model, drawn);
                double swayPeriodMs = 120_000 + 240_000 * random.nextDouble();
                double swayPhase = 2 * Math.PI * random.nextDouble();
                Runnable arrivalsOfKey =
                        () -> {
                            long at = start + (long) (random.nextDouble() * 1000 / rate);
                            while (at < end) {
                                sleepUntil(at);
                                CallMode mode = mode(random);
                                String question = QUESTIONS[random.nextInt(QUESTIONS.length)];
                                inFlight.incrementAndGet();
                                pool.execute(
                                        () -> {
                                            try {
                                                service.getValue().run(model, mode, question);
                                            } finally {
                                                inFlight.decrementAndGet();
                                            }
                                        });
                                double sway =
                                        1
                                                + 0.25
                                                        * Math.sin(
                                                                swayPhase
                                                                        + 2
                                                                                * Math.PI
                                                                                * (at - start)
                                                                                / swayPeriodMs);
                                double gapMs =
                                        -Math.log(1 - random.nextDouble()) * 1000 / (rate * sway);
                                at += Math.max(1, (long) gapMs);
                            }
                        };
                Thread t =
                        daemon("arrivals-" + service.getKey() + "-" + model)
                                .newThread(arrivalsOfKey);
                t.start();
                arrivals.add(t);
            }
        }
        for (Thread t : arrivals) {
            t.join();
        }
        pool.shutdown();
        if (!pool.awaitTermination(drainMs, TimeUnit.MILLISECONDS)) {
            abandoned.set(inFlight.get());
            pool.shutdownNow();
        }
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Calls still running when the drain time ran out (their spans may be missing). */
    int abandoned() {
        return abandoned.get();
    }

    private CallMode mode(SplittableRandom random) {
        if (random.nextDouble() >= streamShare) {
            return CallMode.CALL;
        }
        return random.nextDouble() < usageShareOfStreams
                ? CallMode.STREAM_WITH_USAGE
                : CallMode.STREAM_WITHOUT_USAGE;
    }

    private static void sleepUntil(long epochMs) {
        long wait = epochMs - System.currentTimeMillis();
        if (wait > 0) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
