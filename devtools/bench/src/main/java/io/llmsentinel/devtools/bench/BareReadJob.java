package io.llmsentinel.devtools.bench;

import io.llmsentinel.functions.config.ConfigException;
import io.llmsentinel.functions.config.InputOptions;
import io.llmsentinel.functions.config.JobOptions;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.job.JobIo;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The floor that scripts/bench-e2e.sh measures the job against: the job's own Kafka source settings
 * on the OTLP traces topic, reading each record's bytes and discarding them (counted in {@code
 * sentinel.bareRead.messages} and {@code .bytes}). Not part of the job or its jar; submitted on top
 * of the job's jar, which brings the Kafka connector and the source settings: {@code flink run -C
 * file:devtools/bench/target/sentinel-bench-VERSION.jar -c
 * io.llmsentinel.devtools.bench.BareReadJob sentinel-job.jar --config ...}.
 */
public final class BareReadJob {
    private BareReadJob() {}

    public static void main(String[] args) throws Exception {
        Path file = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new ConfigException("unexpected argument '" + args[i] + "'");
            }
            if (args[i].equals("--config")) {
                file = Path.of(args[i + 1]);
            } else {
                overrides.put(args[i].substring(2), args[i + 1]);
            }
        }
        SentinelConfig config = SentinelConfig.load(file, overrides, System::getenv);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        int parallelism = config.get(JobOptions.PARALLELISM);
        if (parallelism > 0) {
            env.setParallelism(parallelism);
        }
        env.fromSource(
                        JobIo.kafkaSource(
                                config,
                                config.get(InputOptions.OTLP_TRACES_TOPIC),
                                false,
                                new BytesOnly()),
                        WatermarkStrategy.noWatermarks(),
                        "Kafka: bare read")
                .uid("bare-read-source")
                .sinkTo(new Discard())
                .uid("bare-read-discard")
                .name("Discard (counted)");
        env.execute("LLM-Sentinel bare read");
    }

    /** The record's value, untouched. */
    static final class BytesOnly implements KafkaRecordDeserializationSchema<byte[]> {
        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<byte[]> out) {
            out.collect(record.value());
        }

        @Override
        public TypeInformation<byte[]> getProducedType() {
            return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
        }
    }

    /** Counts messages and bytes, keeps nothing. */
    static final class Discard implements Sink<byte[]> {
        @Override
        @SuppressWarnings("deprecation")
        public SinkWriter<byte[]> createWriter(InitContext context) {
            var group = context.metricGroup().addGroup("sentinel").addGroup("bareRead");
            Counter messages = group.counter("messages");
            Counter bytes = group.counter("bytes");
            return new SinkWriter<>() {
                @Override
                public void write(byte[] value, Context c) {
                    messages.inc();
                    bytes.inc(value == null ? 0 : value.length);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
