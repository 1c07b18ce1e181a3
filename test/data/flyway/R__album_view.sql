DROP VIEW IF EXISTS album_length;
CREATE VIEW album_length AS
  SELECT album.id, album.title, sum(track.seconds) AS seconds
  FROM album JOIN track ON track.album_id = album.id
  GROUP BY album.id;
