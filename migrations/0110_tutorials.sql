-- Tutorials: know-how written by members (ADR 0110). A tutorial has ordered steps, images with
-- alt text kept in sized variants like the offers' (re-encoded, no metadata), co-authors, a
-- licence, and a search vector rebuilt by the service from its title, summary, tags and steps
-- (the steps live in their own table, so a generated column cannot see them).

create table tutorial_categories (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9-]{2,40}$'),
  name_fr text not null,
  name_en text not null,
  position integer not null default 0,
  archived_at timestamptz,
  created_at timestamptz not null default now()
);
insert into tutorial_categories (slug, name_fr, name_en, position) values
  ('bricolage', 'Bricolage', 'DIY and repairs', 10),
  ('couture-textile', 'Couture et textile', 'Sewing and textiles', 20),
  ('cuisine', 'Cuisine', 'Cooking', 30),
  ('jardinage-nature', 'Jardinage et nature', 'Gardening and nature', 40),
  ('numerique', 'Numérique', 'Digital', 50),
  ('sante-bien-etre', 'Santé et bien-être', 'Health and well-being', 60),
  ('sport-plein-air', 'Sport et plein air', 'Sport and outdoors', 70),
  ('arts-loisirs-creatifs', 'Arts et loisirs créatifs', 'Arts and crafts', 80),
  ('vie-pratique', 'Vie pratique', 'Everyday life', 90);

create table tutorials (
  id uuid primary key default gen_random_uuid(),
  title text not null check (char_length(title) between 3 and 150),
  summary text not null default '',
  category_id uuid not null references tutorial_categories (id),
  tags text[] not null default '{}',
  difficulty text not null default 'facile' check (difficulty in ('facile', 'moyen', 'difficile')),
  duration_minutes integer check (duration_minutes between 1 and 100000),
  cost_cents integer check (cost_cents between 0 and 100000000),
  materials text not null default '',
  tools text not null default '',
  licence text not null default 'cc-by-sa-4.0'
    check (licence in ('cc-by-sa-4.0', 'cc-by-4.0', 'cc-by-nc-sa-4.0', 'all-rights-reserved')),
  status text not null default 'draft' check (status in ('draft', 'published', 'removed')),
  visibility text not null default 'public' check (visibility in ('public', 'network', 'local')),
  -- Null for the instance's own guide (seeded below) or an account since deleted.
  author_id uuid references users (id) on delete set null,
  cover_image_id uuid,
  removal_reason text,
  view_count integer not null default 0,
  made_count integer not null default 0,
  useful_count integer not null default 0,
  search tsvector not null default ''::tsvector,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  published_at timestamptz,
  check ((status = 'removed') = (removal_reason is not null))
);
create index tutorials_published_idx on tutorials (published_at desc) where status = 'published';
create index tutorials_category_idx on tutorials (category_id, published_at desc)
  where status = 'published';
create index tutorials_author_idx on tutorials (author_id, created_at desc);
create index tutorials_search_idx on tutorials using gin (search);

create table tutorial_coauthors (
  tutorial_id uuid not null references tutorials (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (tutorial_id, user_id)
);
create index tutorial_coauthors_user_idx on tutorial_coauthors (user_id);

create table tutorial_steps (
  id uuid primary key default gen_random_uuid(),
  tutorial_id uuid not null references tutorials (id) on delete cascade,
  -- 1, 2, 3… without holes; swapped within one transaction when a step moves.
  position integer not null check (position >= 1),
  title text not null check (char_length(title) between 1 and 150),
  -- Markdown as written, rendered once on write through the forums' safe rich text.
  source text not null default '',
  content_html text not null default '',
  text_plain text not null default '',
  video_url text check (video_url is null or video_url ~ '^https?://'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tutorial_id, position) deferrable initially deferred
);

-- Images of a tutorial: its cover (no step) or up to six per step; variants as the offers'.
create table tutorial_images (
  id uuid primary key default gen_random_uuid(),
  tutorial_id uuid not null references tutorials (id) on delete cascade,
  step_id uuid references tutorial_steps (id) on delete cascade,
  position integer not null default 0,
  alt text not null check (char_length(alt) between 1 and 300),
  content_type text not null,
  data bytea not null,
  created_at timestamptz not null default now()
);
create index tutorial_images_tutorial_idx on tutorial_images (tutorial_id, step_id, position);
alter table tutorials add constraint tutorials_cover_fk
  foreign key (cover_image_id) references tutorial_images (id) on delete set null;

create table tutorial_image_variants (
  image_id uuid not null references tutorial_images (id) on delete cascade,
  size text not null check (size in ('card', 'page', 'federation')),
  content_type text not null,
  width integer not null,
  height integer not null,
  data bytea not null,
  primary key (image_id, size)
);
