package io.herald.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** A scrape of a service's Prometheus endpoint ({@code /q/metrics} on its management port). */
public record Scrape(String text) {

    /** Samples as Prometheus' text format writes them; {@code {a="b",}} (the 0.0.4 format) becomes {@code {a="b"}}. */
    public Scrape {
        text = text.replace(",} ", "} ");
    }

    public static Scrape of(String metricsUrl) {
        try (InputStream in = URI.create(metricsUrl).toURL().openStream()) {
            return new Scrape(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The sum of the samples whose name and labels start with {@code sample} ({@code name} alone, or
     * {@code name{label="value"} } with the first labels in Prometheus' order); 0 when there are none.
     */
    public double value(String sample) {
        return text.lines().filter(l -> !l.startsWith("#")).filter(l -> sample.endsWith("}") ? l.startsWith(sample + " ")
                        : sample.contains("{") ? l.startsWith(sample) : l.startsWith(sample + "{") || l.startsWith(sample + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** True when the metric has a sample (for a histogram or summary: its {@code _count}, {@code _bucket}, ...). */
    public boolean has(String name) {
        return text.lines().filter(l -> !l.startsWith("#")).anyMatch(l -> java.util.stream.Stream.of("", "_bucket",
                "_count", "_sum", "_max").anyMatch(suffix -> l.startsWith(name + suffix + "{")
                        || l.startsWith(name + suffix + " ")));
    }
}
