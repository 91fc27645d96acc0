package io.herald.dispatcher.deadletter;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A delivery that will not be retried any more: what it was, why it died, and every attempt. */
@Entity
@Table(name = "dead_letter")
public class DeadLetter extends PanacheEntityBase {

    @Id
    @Column(name = "delivery_id")
    public String deliveryId;

    @Column(name = "notification_id")
    public String notificationId;

    @Column(name = "room_key")
    public String roomKey;

    public String destination;

    /** {@code matrix_room} or {@code push}. */
    @Column(name = "destination_kind")
    public String destinationKind;

    /** The delivery record (JSON) as it was on Kafka. */
    public String payload;

    public String reason;

    @Column(name = "last_status")
    public Integer lastStatus;

    public int attempts;

    /** JSON array of the attempts: at, status, outcome, detail. */
    public String history;

    @Column(name = "dead_at")
    public Instant deadAt;

    /** The tenant owning the room; null for deliveries made before tenants existed. */
    public String tenant;

    /** When the notification was accepted: replays of a destination keep this order. */
    @Column(name = "accepted_at")
    public Instant acceptedAt;
}
