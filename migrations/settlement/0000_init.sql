CREATE TABLE "accounts" (
	"address" "bytea" PRIMARY KEY NOT NULL,
	"balance" numeric(78, 0) NOT NULL,
	"nonce" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "blocks" (
	"height" bigint PRIMARY KEY NOT NULL,
	"hash" "bytea" NOT NULL,
	"time_ms" bigint NOT NULL,
	"proposer" "bytea" NOT NULL,
	"count_transactions" integer NOT NULL,
	CONSTRAINT "blocks_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "checkpoints" (
	"lane" bigint NOT NULL,
	"index_in_lane" bigint NOT NULL,
	"root_previous" "bytea" NOT NULL,
	"root_new" "bytea" NOT NULL,
	"batch_hash" "bytea" NOT NULL,
	"status" text NOT NULL,
	"height_settled" bigint,
	"height_final" bigint,
	CONSTRAINT "checkpoints_lane_index_in_lane_pk" PRIMARY KEY("lane","index_in_lane"),
	CONSTRAINT "checkpoints_status_valid" CHECK ("status" in ('soft', 'checkpointed', 'settled', 'final', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "deposits" (
	"id" "bytea" PRIMARY KEY NOT NULL,
	"lane" bigint NOT NULL,
	"sender" "bytea" NOT NULL,
	"recipient" "bytea" NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"status" text NOT NULL,
	"height" bigint NOT NULL,
	CONSTRAINT "deposits_status_valid" CHECK ("status" in ('pending', 'credited', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "index_progress" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"height_indexed" bigint NOT NULL,
	CONSTRAINT "index_progress_single_row" CHECK ("id" = 1)
);
--> statement-breakpoint
CREATE TABLE "lanes" (
	"id" bigint PRIMARY KEY NOT NULL,
	"sequencer" "bytea" NOT NULL,
	"escrow" numeric(78, 0) NOT NULL,
	"bond" numeric(78, 0) NOT NULL,
	"challenge_window_blocks" bigint NOT NULL,
	"frozen" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transactions" (
	"hash" "bytea" PRIMARY KEY NOT NULL,
	"height" bigint NOT NULL,
	"index_in_block" integer NOT NULL,
	"kind" text NOT NULL,
	"sender" "bytea" NOT NULL,
	"status" text NOT NULL,
	"code_rejection" integer,
	CONSTRAINT "transactions_status_valid" CHECK ("status" in ('applied', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "validators" (
	"address" "bytea" PRIMARY KEY NOT NULL,
	"public_key" "bytea" NOT NULL,
	"stake" numeric(78, 0) NOT NULL,
	"status" text NOT NULL,
	CONSTRAINT "validators_status_valid" CHECK ("status" in ('active', 'jailed', 'unbonding', 'tombstoned'))
);
--> statement-breakpoint
CREATE TABLE "withdrawals" (
	"id" "bytea" PRIMARY KEY NOT NULL,
	"lane" bigint NOT NULL,
	"recipient" "bytea" NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"status" text NOT NULL,
	"height_requested" bigint NOT NULL,
	CONSTRAINT "withdrawals_status_valid" CHECK ("status" in ('pending', 'provable', 'paid', 'rejected'))
);
--> statement-breakpoint
CREATE INDEX "checkpoints_status" ON "checkpoints" USING btree ("status");--> statement-breakpoint
CREATE INDEX "deposits_recipient" ON "deposits" USING btree ("recipient");--> statement-breakpoint
CREATE INDEX "transactions_height_index" ON "transactions" USING btree ("height","index_in_block");--> statement-breakpoint
CREATE INDEX "transactions_sender" ON "transactions" USING btree ("sender");--> statement-breakpoint
CREATE INDEX "withdrawals_recipient" ON "withdrawals" USING btree ("recipient");