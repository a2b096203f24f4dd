CREATE TABLE "live_kernels" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"strategy_id" text NOT NULL,
	"venue" text NOT NULL,
	"symbol" text NOT NULL,
	"timeframe" text NOT NULL,
	"state" jsonb NOT NULL,
	"last_candle_time" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "paper_fills_signal_uq";--> statement-breakpoint
ALTER TABLE "paper_accounts" ADD COLUMN "state" jsonb;--> statement-breakpoint
ALTER TABLE "paper_fills" ADD COLUMN "liquidity" text;--> statement-breakpoint
ALTER TABLE "paper_fills" ADD COLUMN "exit_kind" text;--> statement-breakpoint
CREATE UNIQUE INDEX "live_kernels_series_uq" ON "live_kernels" USING btree ("strategy_id","venue","symbol","timeframe");--> statement-breakpoint
CREATE UNIQUE INDEX "paper_fills_account_fill_uq" ON "paper_fills" USING btree ("account_id","time","effect");