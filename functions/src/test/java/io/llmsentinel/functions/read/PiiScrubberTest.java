package io.llmsentinel.functions.read;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PiiScrubberTest {
    private final PiiScrubber scrubber = new PiiScrubber();

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "email | write to jane.doe+x@mail.example.com now | write to [EMAIL] now",
                "phone | call +1 415-555-0132 today | call [PHONE] today",
                "phone in brackets | ring (415) 555-0132 | ring [PHONE]",
                "card passing Luhn | card 4111 1111 1111 1111 ok | card [CARD] ok",
                "card with dashes | 5500-0000-0000-0004 | [CARD]",
                "US SSN | ssn 123-45-6789 | ssn [NATIONAL_ID]",
                "UK NINO | ni AB 12 34 56 C | ni [NATIONAL_ID]",
                "OpenAI key | key sk-proj-abcdefghijklmnop1234567890 | key [API_KEY]",
                "AWS key | AKIAIOSFODNN7EXAMPLE is mine | [API_KEY] is mine",
                "GitHub token | ghp_abcdefghijklmnopqrstuvwxyz0123456789 | [API_KEY]",
                "bearer token | Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc | Authorization: [TOKEN]",
            })
    void scrubs(String name, String in, String out) {
        assertThat(scrubber.scrub(in)).isEqualTo(out);
    }

    @Test
    void keepsNumbersThatFailLuhnAndPlainText() {
        assertThat(scrubber.scrub("order 4111 1111 1111 1112 shipped"))
                .isEqualTo("order 4111 1111 1111 1112 shipped");
        assertThat(scrubber.scrub("the answer is 42")).isEqualTo("the answer is 42");
    }

    @Test
    void keepsUnixTimestampsThatHappenToPassLuhn() {
        // 1764000000000000000 passes the Luhn check; OTLP carries one such number per span
        assertThat(PiiScrubber.luhnValid("1764000000000000000")).isTrue();
        String span = "{\"startTimeUnixNano\":\"1764000000000000000\"}";
        assertThat(scrubber.scrub(span)).isEqualTo(span);
        // a 19-digit Visa number is still a card
        assertThat(PiiScrubber.luhnValid("4000000000000000006")).isTrue();
        assertThat(scrubber.scrub("pay 4000000000000000006")).isEqualTo("pay [CARD]");
    }

    /** Skipping the patterns that cannot match changes nothing, on text made to hit them all. */
    @Test
    void skippingPatternsThatCannotMatchGivesTheSameResult() {
        java.util.Random random = new java.util.Random(7);
        String[] pieces = {
            "a",
            "Z",
            " ",
            "-",
            ".",
            "@",
            "+",
            "(",
            ")",
            "1",
            "4",
            "9",
            "0",
            "bearer ",
            "Bearer ",
            "sk-",
            "AKIA",
            "AIza",
            "ghp_",
            "xoxb-",
            "hf_",
            "mail.example.com",
            "4111 1111 1111 1111",
            "123-45-6789",
            "AB 12 34 56 C",
            "+1 415-555-0132",
            "1764000000000000000",
            "\n",
            "é"
        };
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            int parts = random.nextInt(30);
            for (int k = 0; k < parts; k++) {
                b.append(pieces[random.nextInt(pieces.length)]);
                if (random.nextInt(4) == 0) {
                    b.append(random.nextInt(100_000));
                }
            }
            String text = b.toString();
            assertThat(scrubber.scrub(text))
                    .as(text)
                    .isEqualTo(scrubber.scrubWithEveryPattern(text));
        }
    }

    @Test
    void luhn() {
        assertThat(PiiScrubber.luhnValid("4111111111111111")).isTrue();
        assertThat(PiiScrubber.luhnValid("4111111111111112")).isFalse();
    }
}
