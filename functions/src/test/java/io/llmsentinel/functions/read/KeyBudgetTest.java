package io.llmsentinel.functions.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.model.LlmRequest;
import org.junit.jupiter.api.Test;

class KeyBudgetTest {

    static LlmRequest req(String service, String model) {
        LlmRequest r = new LlmRequest();
        r.service = service;
        r.model = model;
        r.provider = "openai";
        r.operation = "chat";
        r.environment = "prod";
        r.namespace = "default";
        return r;
    }

    @Test
    void foldsNewModelsOfAFullServiceIntoItsOverflowKey() {
        KeyBudget b = new KeyBudget(100, 3, 60_000);
        for (int i = 0; i < 3; i++) {
            assertThat(b.admit(req("svc", "m" + i), 0)).isFalse();
        }
        LlmRequest random = req("svc", "random-1234");
        assertThat(b.admit(random, 1)).isTrue();
        assertThat(random.service).isEqualTo("svc");
        assertThat(random.model).isEqualTo(KeyBudget.OVERFLOW);
        assertThat(random.provider).isEqualTo(KeyBudget.OVERFLOW);
        // known keys still pass, another service still has room
        assertThat(b.admit(req("svc", "m1"), 2)).isFalse();
        assertThat(b.admit(req("other", "m1"), 2)).isFalse();
        assertThat(b.activeKeys()).isEqualTo(4);
    }

    @Test
    void foldsEveryNewKeyIntoOneOverflowKeyWhenTheSubtaskIsFull() {
        KeyBudget b = new KeyBudget(2, 100, 60_000);
        b.admit(req("a", "m"), 0);
        b.admit(req("b", "m"), 0);
        LlmRequest third = req("c", "m");
        assertThat(b.admit(third, 0)).isTrue();
        assertThat(third.service).isEqualTo(KeyBudget.OVERFLOW);
        assertThat(third.namespace).isEqualTo(KeyBudget.OVERFLOW);
        assertThat(third.environment).isEqualTo("prod");
        assertThat(b.activeKeys()).isEqualTo(2);
    }

    @Test
    void anIdleKeyFreesItsPlace() {
        KeyBudget b = new KeyBudget(2, 2, 1_000);
        b.admit(req("a", "m1"), 0);
        b.admit(req("a", "m2"), 500);
        assertThat(b.admit(req("a", "m3"), 900)).isTrue();
        // m1 idle for 1 s: its place (and its service's) is free again
        assertThat(b.admit(req("a", "m3"), 1_000)).isFalse();
        assertThat(b.activeKeys()).isEqualTo(2);
    }

    @Test
    void boundsStateUnderAStormOfRandomModelNames() {
        KeyBudget b = new KeyBudget(10_000, 1_000, 3_600_000);
        int folded = 0;
        for (int i = 0; i < 100_000; i++) {
            if (b.admit(req("svc-" + (i % 5), "model-" + i), i)) {
                folded++;
            }
        }
        assertThat(b.activeKeys()).isEqualTo(5 * 1_000);
        assertThat(folded).isEqualTo(100_000 - 5_000);
    }
}
