CREATE TABLE "paper_accounts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"strategy_id" text NOT NULL,
	"venue" text NOT NULL,
	"symbol" text NOT NULL,
	"timeframe" text NOT NULL,
	"cost_preset" text NOT NULL,
	"initial_equity" double precision NOT NULL,
	"equity" double precision NOT NULL,
	"cash" double precision NOT NULL,
	"realised_pnl" double precision DEFAULT 0 NOT NULL,
	"unrealised_pnl" double precision DEFAULT 0 NOT NULL,
	"position_side" text,
	"position_size" double precision,
	"position_notional" double precision,
	"entry_price" double precision,
	"entry_time" bigint,
	"entry_signal_time" bigint,
	"entry_cost_bps" double precision,
	"entry_reason" text,
	"last_signal_time" bigint,
	"trades" integer DEFAULT 0 NOT NULL,
	"mark_price" double precision,
	"mark_time" bigint,
	"since" bigint NOT NULL,
	"last_cycle_at" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "paper_daily" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"day" bigint NOT NULL,
	"equity" double precision NOT NULL,
	"pnl" double precision NOT NULL,
	"signals" integer NOT NULL,
	"fills" integer DEFAULT 0 NOT NULL,
	"comparison" jsonb NOT NULL,
	"ok" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "paper_fills" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"signal_id" bigint NOT NULL,
	"signal_time" bigint NOT NULL,
	"action" text NOT NULL,
	"side" text NOT NULL,
	"effect" text NOT NULL,
	"price" double precision NOT NULL,
	"cost_bps" double precision NOT NULL,
	"time" bigint NOT NULL,
	"notional" double precision NOT NULL,
	"net_return" double precision,
	"pnl" double precision,
	"gap" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "strategy_promotions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"strategy_id" text NOT NULL,
	"source_kind" text NOT NULL,
	"source_id" text NOT NULL,
	"from_status" text NOT NULL,
	"proposed_status" text NOT NULL,
	"to_status" text NOT NULL,
	"changed" boolean NOT NULL,
	"reason" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"status_change_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "paper_accounts" ADD CONSTRAINT "paper_accounts_strategy_id_strategies_id_fk" FOREIGN KEY ("strategy_id") REFERENCES "public"."strategies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paper_daily" ADD CONSTRAINT "paper_daily_account_id_paper_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."paper_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paper_fills" ADD CONSTRAINT "paper_fills_account_id_paper_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."paper_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paper_fills" ADD CONSTRAINT "paper_fills_signal_id_signals_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strategy_promotions" ADD CONSTRAINT "strategy_promotions_strategy_id_strategies_id_fk" FOREIGN KEY ("strategy_id") REFERENCES "public"."strategies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strategy_promotions" ADD CONSTRAINT "strategy_promotions_status_change_id_strategy_status_changes_id_fk" FOREIGN KEY ("status_change_id") REFERENCES "public"."strategy_status_changes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "paper_accounts_series_uq" ON "paper_accounts" USING btree ("strategy_id","venue","symbol","timeframe");--> statement-breakpoint
CREATE UNIQUE INDEX "paper_daily_account_day_uq" ON "paper_daily" USING btree ("account_id","day");--> statement-breakpoint
CREATE UNIQUE INDEX "paper_fills_signal_uq" ON "paper_fills" USING btree ("signal_id");--> statement-breakpoint
CREATE INDEX "paper_fills_account_idx" ON "paper_fills" USING btree ("account_id","time");--> statement-breakpoint
CREATE UNIQUE INDEX "strategy_promotions_source_uq" ON "strategy_promotions" USING btree ("strategy_id","source_id");--> statement-breakpoint
CREATE INDEX "strategy_promotions_recent_idx" ON "strategy_promotions" USING btree ("strategy_id","id");