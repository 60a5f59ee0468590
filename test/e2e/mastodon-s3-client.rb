# frozen_string_literal: true

# Mastodon's own S3 client (Ruby's aws-sdk-s3) driven the way Mastodon drives it, against the storage an env file
# describes. Written from reading Mastodon's config/initializers/paperclip.rb (client and upload options, the
# S3_FORCE_SINGLE_REQUEST download), kt-paperclip's lib/paperclip/storage/s3.rb (upload_file with the
# X-Amz-Multipart-Threshold header as multipart_threshold, acl, cache_control, storage_class), app/lib/
# attachment_batch.rb (DeleteObjects in slices of S3_BATCH_DELETE_LIMIT), app/services/
# update_media_attachments_permissions_service.rb (acl.put private and back on suspension), app/models/backup.rb
# (private archives, presigned expiring URLs) and lib/mastodon/cli/media.rb (remove-orphans' bucket listing).
# No Mastodon code is copied; test/e2e/mastodon-s3-client.test.ts runs it.
#
# Input: Mastodon's variables in the environment (S3_*, AWS_*), DRIVER_DIR (a scratch folder), DRIVER_ADMIN_LIST
# (optional, "1": the listing test also lists without the key prefix). Output: one JSON object per line on
# standard output, {"step": NAME, "ok": true|false, ...facts}; exit 0 when the script itself ran to its end.
require 'aws-sdk-s3'
require 'digest'
require 'json'
require 'logger'
require 'net/http'
require 'securerandom'
require 'stringio'

def report(step, ok, facts = {})
  $stdout.puts(JSON.generate({ step: step, ok: ok }.merge(facts)))
  $stdout.flush
end

def attempt(step)
  facts = yield
  report(step, true, facts || {})
rescue StandardError => e
  report(step, false, error: "#{e.class}: #{e.message.lines.first.to_s.strip}", code: e.respond_to?(:code) ? e.code : nil)
end

# The wire trace of the SDK (aws-sdk-core's `http_wire_trace`: each request head logged as `<- "PUT /... HTTP/1.1\r\n
# Name: value\r\n..."`): the integrity headers the requests since the last call carried, by name.
WIRE = StringIO.new
INTEGRITY = /\A(x-amz-checksum-[a-z0-9]+|x-amz-sdk-checksum-algorithm|content-md5|x-amz-trailer|x-amz-content-sha256)\z/
def sent_checksum_headers
  heads = WIRE.string.scan(/<- "((?:GET|PUT|POST|DELETE|HEAD) [^"]*)"/).flatten
  WIRE.truncate(0)
  WIRE.rewind
  heads.flat_map { |head| head.split('\r\n').drop(1) }.filter_map do |line|
    name, value = line.split(': ', 2)
    next unless name && name.downcase =~ INTEGRITY

    name.downcase == 'x-amz-content-sha256' ? ("x-amz-content-sha256=#{value}" if value.to_s.start_with?('STREAMING', 'UNSIGNED')) : name.downcase
  end.uniq.sort
end

# Client options as config/initializers/paperclip.rb sets them.
region = ENV.fetch('S3_REGION', 'us-east-1')
client_options = {
  region: region,
  credentials: Aws::Credentials.new(ENV.fetch('AWS_ACCESS_KEY_ID'), ENV.fetch('AWS_SECRET_ACCESS_KEY')),
  signature_version: ENV.fetch('S3_SIGNATURE_VERSION', 'v4'),
  http_open_timeout: ENV.fetch('S3_OPEN_TIMEOUT', '5').to_i,
  http_read_timeout: ENV.fetch('S3_READ_TIMEOUT', '5').to_i,
  http_idle_timeout: 5,
  retry_limit: ENV.fetch('S3_RETRY_LIMIT', '0').to_i,
  http_wire_trace: true,
  logger: Logger.new(WIRE),
}
if ENV.key?('S3_ENDPOINT')
  client_options[:endpoint] = ENV['S3_ENDPOINT']
  client_options[:force_path_style] = ENV['S3_OVERRIDE_PATH_STYLE'] != 'true'
end
client = Aws::S3::Client.new(client_options)
bucket = Aws::S3::Resource.new(client: client).bucket(ENV.fetch('S3_BUCKET'))
report('sdk', true, aws_sdk_s3: Aws::S3::GEM_VERSION, aws_sdk_core: Aws::CORE_GEM_VERSION, ruby: RUBY_VERSION,
                    request_checksum_calculation: client.config.respond_to?(:request_checksum_calculation) ? client.config.request_checksum_calculation : 'not supported')

prefix = ENV['S3_KEY_PREFIX'].to_s.empty? ? '' : "#{ENV['S3_KEY_PREFIX']}/"
# S3_PERMISSION: absent means public-read; empty means no ACL at all (kt-paperclip sends none for a blank value).
permission = ENV.fetch('S3_PERMISSION', 'public-read')
acl_mode = !permission.empty?
threshold = ENV.fetch('S3_MULTIPART_THRESHOLD', 15 * 1024 * 1024).to_i
cache_control = 'public, max-age=315576000, immutable'
# Public URLs as Paperclip builds them: the alias host, or path style on S3_HOSTNAME when S3_ENDPOINT is set.
protocol = ENV.fetch('S3_PROTOCOL', 'https')
public_url = lambda do |key|
  escaped = key.split('/').map { |part| URI.encode_www_form_component(part).gsub('+', '%20') }.join('/')
  if ENV['S3_ALIAS_HOST'] then "#{protocol}://#{ENV['S3_ALIAS_HOST']}/#{escaped}"
  else "#{protocol}://#{ENV.fetch('S3_HOSTNAME')}/#{ENV.fetch('S3_BUCKET')}/#{escaped}"
  end
end
public_get = ->(url) { Net::HTTP.get_response(URI(url)) }

dir = ENV.fetch('DRIVER_DIR')
run = SecureRandom.hex(4)
small_key = "#{prefix}media_attachments/files/110/000/#{run}/original/photo #{run}.png"
large_key = "#{prefix}media_attachments/files/110/000/#{run}/original/video.mp4"
archive_key = "#{prefix}backups/dumps/000/000/#{run}/original/archive-#{run}.zip"
small = File.join(dir, 'small.png')
large = File.join(dir, 'large.mp4')
archive = File.join(dir, 'archive.zip')
File.binwrite(small, SecureRandom.random_bytes(40_000))
File.binwrite(large, SecureRandom.random_bytes(threshold + 1024 * 1024 + 17))
File.binwrite(archive, SecureRandom.random_bytes(30_000))

upload = lambda do |path, key, content_type, acl|
  options = { content_type: content_type, cache_control: cache_control, multipart_threshold: threshold }
  options[:acl] = acl if acl
  options[:storage_class] = ENV['S3_STORAGE_CLASS'] if ENV.key?('S3_STORAGE_CLASS')
  bucket.object(key).upload_file(path, options)
end

{ 'upload-small' => [small, small_key, 'image/png'], 'upload-multipart' => [large, large_key, 'video/mp4'] }.each do |step, (path, key, type)|
  attempt(step) do
    upload.call(path, key, type, acl_mode ? permission : nil)
    head = client.head_object(bucket: ENV.fetch('S3_BUCKET'), key: key)
    { key: key, checksum_headers: sent_checksum_headers, content_type: head.content_type, cache_control: head.cache_control,
      etag_parts: head.etag.to_s[/-(\d+)"?\z/, 1].to_i, storage_class: head.storage_class, bytes: head.content_length }
  end
end

attempt('public-read') do
  answers = [small_key, large_key].map { |key| public_get.call(public_url.call(key)) }
  raise "anonymous GET answered #{answers.map(&:code).join(', ')}" unless answers.all? { |answer| answer.code == '200' }
  raise 'public bytes differ' unless Digest::SHA256.digest(answers.first.body) == Digest::SHA256.file(small).digest

  { statuses: answers.map(&:code) }
end

# Copy to a local file as Paperclip's S3 storage does (video processing, emoji copy); Mastodon adds
# mode: 'single_request' when S3_FORCE_SINGLE_REQUEST=true.
[['download', {}], ['download-single-request', { mode: 'single_request' }]].each do |step, options|
  attempt(step) do
    target = File.join(dir, "#{step}.mp4")
    bucket.object(large_key).download_file(target, options)
    raise 'downloaded bytes differ' unless Digest::SHA256.file(target).digest == Digest::SHA256.file(large).digest

    { bytes: File.size(target) }
  end
end

# Suspension and unsuspension in object-ACL mode: every style's ACL to private, then back to S3_PERMISSION.
if acl_mode
  attempt('suspend-acl') do
    bucket.object(small_key).acl.put(acl: 'private')
    hidden = public_get.call(public_url.call(small_key)).code
    bucket.object(small_key).acl.put(acl: permission)
    shown = public_get.call(public_url.call(small_key)).code
    raise "after acl.put private the media answered #{hidden}, after #{permission} #{shown}" unless hidden == '403' && shown == '200'

    { private_status: hidden, restored_status: shown }
  end
end

# A user's archive: private (app/models/backup.rb gives archives the private ACL, none without ACLs), read
# through a presigned expiring URL.
attempt('archive-presigned') do
  upload.call(archive, archive_key, 'application/zip', acl_mode ? 'private' : nil)
  url = bucket.object(archive_key).presigned_url(:get, expires_in: 3600)
  signed = public_get.call(url)
  plain = public_get.call(public_url.call(archive_key)).code
  raise "presigned GET answered #{signed.code}" unless signed.code == '200' && Digest::SHA256.digest(signed.body) == Digest::SHA256.file(archive).digest
  raise "the archive is public: anonymous GET answered #{plain}" if plain == '200'

  { presigned_status: signed.code, anonymous_status: plain }
end

# tootctl media remove-orphans: the bucket listed in pages of 1000 (with --prefix when given, none by default).
attempt('list-with-prefix') do
  keys = bucket.objects(prefix: prefix.empty? ? nil : prefix).limit(1000).map(&:key)
  missing = [small_key, large_key, archive_key] - keys
  raise "the listing lacks #{missing.join(', ')}" unless missing.empty?

  { listed: keys.size }
end
unless prefix.empty?
  attempt('list-without-prefix') { { listed: bucket.objects.limit(1000).map(&:key).size } }
end

# AttachmentBatch: DeleteObjects in slices of S3_BATCH_DELETE_LIMIT (quiet), retried S3_BATCH_DELETE_RETRY times.
attempt('batch-delete') do
  keys = [small_key, large_key, archive_key]
  limit = ENV.fetch('S3_BATCH_DELETE_LIMIT', 1000).to_i
  errors = []
  keys.each_slice(limit) do |slice|
    retries = ENV.fetch('S3_BATCH_DELETE_RETRY', 3).to_i
    begin
      answer = bucket.delete_objects(delete: { objects: slice.map { |key| { key: key } }, quiet: true })
      errors.concat(answer.errors.map { |error| "#{error.key}: #{error.code}" })
    rescue Aws::S3::Errors::ServiceError
      retries -= 1
      retry if retries.positive?
      raise
    end
  end
  headers = sent_checksum_headers
  raise "DeleteObjects refused keys: #{errors.join('; ')}" unless errors.empty?

  # Listed, not HEAD: a writer whose ListBucket is scoped to the prefix gets 403 (not 404) for a missing key.
  left = keys & bucket.objects(prefix: prefix.empty? ? nil : prefix).limit(1000).map(&:key)
  raise "still there after the batch delete: #{left.join(', ')}" unless left.empty?

  { deleted: keys.size, checksum_headers: headers }
end
report('done', true)
