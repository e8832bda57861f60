CREATE TABLE "assessment_events" (
	"id" text PRIMARY KEY NOT NULL,
	"invite_id" text NOT NULL,
	"lab_id" text,
	"kind" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"amount" integer,
	"path" text
);
--> statement-breakpoint
CREATE TABLE "assessment_reviews" (
	"invite_id" text NOT NULL,
	"reviewer_id" text NOT NULL,
	"rating" integer,
	"notes" text DEFAULT '' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assessment_reviews_invite_id_reviewer_id_pk" PRIMARY KEY("invite_id","reviewer_id")
);
--> statement-breakpoint
CREATE TABLE "assessment_share_link_uses" (
	"id" text PRIMARY KEY NOT NULL,
	"link_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"client_address" text,
	"user_agent" text
);
--> statement-breakpoint
CREATE TABLE "assessment_share_links" (
	"id" text PRIMARY KEY NOT NULL,
	"invite_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "assessment_events" ADD CONSTRAINT "assessment_events_invite_id_assessment_invites_id_fk" FOREIGN KEY ("invite_id") REFERENCES "public"."assessment_invites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_reviews" ADD CONSTRAINT "assessment_reviews_invite_id_assessment_invites_id_fk" FOREIGN KEY ("invite_id") REFERENCES "public"."assessment_invites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_reviews" ADD CONSTRAINT "assessment_reviews_reviewer_id_users_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_share_link_uses" ADD CONSTRAINT "assessment_share_link_uses_link_id_assessment_share_links_id_fk" FOREIGN KEY ("link_id") REFERENCES "public"."assessment_share_links"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_share_links" ADD CONSTRAINT "assessment_share_links_invite_id_assessment_invites_id_fk" FOREIGN KEY ("invite_id") REFERENCES "public"."assessment_invites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_share_links" ADD CONSTRAINT "assessment_share_links_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assessment_events_invite_idx" ON "assessment_events" USING btree ("invite_id","at");--> statement-breakpoint
CREATE INDEX "assessment_share_link_uses_link_idx" ON "assessment_share_link_uses" USING btree ("link_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "assessment_share_links_token_unique" ON "assessment_share_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "assessment_share_links_invite_idx" ON "assessment_share_links" USING btree ("invite_id");