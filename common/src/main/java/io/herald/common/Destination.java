package io.herald.common;

import java.util.Map;

/**
 * Where a delivery goes: exactly one of {@link #matrixRoom()} or {@link #pusher()} is set.
 * Never carries a secret: the account's access token stays in the dispatcher's database.
 */
public record Destination(MatrixRoom matrixRoom, Pusher pusher) {

    /** A Matrix room, posted into as the bot account {@code account} (a dispatcher account id). */
    public record MatrixRoom(String account, String roomId) {
    }

    /** A pusher as registered with {@code /pushers/set}: gateway URL, app id, pushkey. */
    public record Pusher(String url, String appId, String pushkey, Long pushkeyTs, String format,
            Map<String, Object> data) {
    }

    public static Destination room(String account, String roomId) {
        return new Destination(new MatrixRoom(account, roomId), null);
    }

    public static Destination pusher(Pusher pusher) {
        return new Destination(null, pusher);
    }

    /** The Kafka key of deliveries to this destination: per-destination order follows from it. */
    public String key() {
        if (matrixRoom != null) {
            return "room:" + matrixRoom.account() + ":" + matrixRoom.roomId();
        }
        return "push:" + pusher.appId() + ":" + pusher.pushkey() + "@" + pusher.url();
    }
}
