package com.runbook.engine.notify;

import java.util.List;
import java.util.stream.Collectors;

/** The channels the outbox accepts and the dispatcher delivers to. */
final class Channels {
    private final List<Channel> all;

    Channels(List<Channel> all) {
        this.all = List.copyOf(all);
    }

    /** The channel serving {@code address}; refused when none does. */
    Channel of(String address) {
        if (address != null) {
            for (Channel c : all) {
                if (c.serves(address)) {
                    return c;
                }
            }
        }
        throw new IllegalArgumentException("unknown channel '" + address + "' (use " + usage() + ")");
    }

    /** "email, telegram or pubsub:&lt;topic&gt;". */
    private String usage() {
        List<String> forms = all.stream().map(Channel::addressForm).toList();
        if (forms.size() < 2) {
            return String.join("", forms);
        }
        return forms.subList(0, forms.size() - 1).stream().collect(Collectors.joining(", "))
                + " or " + forms.get(forms.size() - 1);
    }

    Channel.Grouping grouping(String address) {
        return of(address).grouping();
    }

    boolean isEmpty() {
        return all.isEmpty();
    }
}
