package io.herald.dispatcher.delivery;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** Where a delivery went and how it ended. */
@Entity
@Table(name = "delivery_log")
public class DeliveryLogEntry extends PanacheEntityBase {

    public static final String DELIVERED = "delivered";
    /** Parked in the retry topic after failed attempts; retried until its deadline. */
    public static final String RETRYING = "retrying";
    public static final String DEAD = "dead";
    /** A push gateway rejected the pushkey: the pusher is removed, nothing is retried. */
    public static final String REJECTED = "rejected";

    @Id
    @Column(name = "delivery_id")
    public String deliveryId;

    @Column(name = "notification_id")
    public String notificationId;

    @Column(name = "room_key")
    public String roomKey;

    public String destination;

    public String state;

    public int attempts;

    @Column(name = "last_status")
    public Integer lastStatus;

    @Column(name = "last_error")
    public String lastError;

    @Column(name = "matrix_event_id")
    public String matrixEventId;

    /** JSON array of the attempts: at, status, outcome, detail. */
    @com.fasterxml.jackson.annotation.JsonRawValue
    public String history;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
