-- The catalogue's words also find the place: "piscine" finds an offer at "Piscine du Rhône"
-- (its address) and the commune keeps its weight. A generated column cannot be altered: it is
-- dropped and added again, with its index.
alter table offers drop column search;
alter table offers add column search tsvector generated always as (
  setweight(to_tsvector('maillage_fr', title), 'A')
    || setweight(to_tsvector('maillage_fr', summary), 'B')
    || setweight(to_tsvector('maillage_fr', city), 'B')
    || setweight(to_tsvector('maillage_fr', address), 'B')
    || setweight(to_tsvector('maillage_fr', description_text), 'C')
) stored;
create index offers_search_idx on offers using gin (search);
