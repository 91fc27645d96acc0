package io.herald.ingest.notification;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Tags as ntfy shows them: a tag that is an emoji short code becomes that emoji, any other tag a short word in
 * brackets; together they prefix the message ({@code warning,nas1} → {@code ⚠️ [nas1] }).
 */
public final class Tags {

    /** At most this many tags, each at most {@link #MAX_LENGTH} characters. */
    public static final int MAX_TAGS = 10;
    public static final int MAX_LENGTH = 32;

    private static final Map<String, String> EMOJI = Map.ofEntries(
            Map.entry("+1", "👍"), Map.entry("thumbsup", "👍"), Map.entry("-1", "👎"), Map.entry("thumbsdown", "👎"),
            Map.entry("warning", "⚠️"), Map.entry("rotating_light", "🚨"), Map.entry("no_entry", "⛔"),
            Map.entry("no_entry_sign", "🚫"), Map.entry("x", "❌"), Map.entry("heavy_check_mark", "✔️"),
            Map.entry("white_check_mark", "✅"), Map.entry("tada", "🎉"), Map.entry("partying_face", "🥳"),
            Map.entry("skull", "💀"), Map.entry("fire", "🔥"), Map.entry("bell", "🔔"), Map.entry("loudspeaker", "📢"),
            Map.entry("computer", "💻"), Map.entry("floppy_disk", "💾"), Map.entry("cd", "💿"),
            Map.entry("package", "📦"), Map.entry("lock", "🔒"), Map.entry("unlock", "🔓"), Map.entry("key", "🔑"),
            Map.entry("zap", "⚡"), Map.entry("electric_plug", "🔌"), Map.entry("battery", "🔋"),
            Map.entry("hourglass", "⌛"), Map.entry("stopwatch", "⏱️"), Map.entry("calendar", "📅"),
            Map.entry("chart_with_upwards_trend", "📈"), Map.entry("chart_with_downwards_trend", "📉"),
            Map.entry("mag", "🔍"), Map.entry("wrench", "🔧"), Map.entry("hammer", "🔨"), Map.entry("gear", "⚙️"),
            Map.entry("robot", "🤖"), Map.entry("globe_with_meridians", "🌐"), Map.entry("satellite", "📡"),
            Map.entry("email", "📧"), Map.entry("envelope", "✉️"), Map.entry("house", "🏠"),
            Map.entry("bulb", "💡"), Map.entry("sos", "🆘"), Map.entry("information_source", "ℹ️"),
            Map.entry("question", "❓"), Map.entry("exclamation", "❗"), Map.entry("heart", "❤️"),
            Map.entry("broken_heart", "💔"), Map.entry("cloud", "☁️"), Map.entry("sunny", "☀️"),
            Map.entry("snowflake", "❄️"), Map.entry("thermometer", "🌡️"), Map.entry("droplet", "💧"),
            Map.entry("rocket", "🚀"), Map.entry("bug", "🐛"), Map.entry("construction", "🚧"),
            Map.entry("green_circle", "🟢"), Map.entry("red_circle", "🔴"), Map.entry("yellow_circle", "🟡"),
            Map.entry("large_blue_circle", "🔵"), Map.entry("checkered_flag", "🏁"), Map.entry("triangular_flag_on_post", "🚩"));

    private Tags() {
    }

    /** Tags from a comma-separated list (header, query parameter, form field); blanks dropped. */
    public static List<String> split(String commaSeparated) {
        List<String> tags = new ArrayList<>();
        for (String tag : commaSeparated.split(",")) {
            if (!tag.isBlank()) {
                tags.add(tag.strip());
            }
        }
        return tags;
    }

    /** Why these tags are refused, or null. */
    public static String problem(List<String> tags) {
        if (tags.size() > MAX_TAGS) {
            return "at most " + MAX_TAGS + " tags";
        }
        for (String tag : tags) {
            if (tag.length() > MAX_LENGTH || tag.chars().anyMatch(c -> Character.isISOControl(c) || c == '[' || c == ']')) {
                return "each tag at most " + MAX_LENGTH + " characters, without control characters or brackets";
            }
        }
        return null;
    }

    /** The prefix of these tags, with a trailing space; "" for none. */
    public static String prefix(List<String> tags) {
        StringBuilder emoji = new StringBuilder();
        StringBuilder words = new StringBuilder();
        for (String tag : tags) {
            String e = EMOJI.get(tag.toLowerCase(Locale.ROOT));
            if (e != null) {
                emoji.append(e).append(' ');
            } else {
                words.append('[').append(tag).append("] ");
            }
        }
        return emoji.append(words).toString();
    }
}
