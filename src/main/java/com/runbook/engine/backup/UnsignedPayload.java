package com.runbook.engine.backup;

import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.scheme.AuthScheme;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;

import java.util.concurrent.CompletableFuture;

/**
 * SigV4 with {@code UNSIGNED-PAYLOAD} over plain HTTP too, for the uploads to a store without S3's checksums. Over
 * HTTP the SDK always signs the payload: a SHA-256 of each part computed on the thread that sends it, right before
 * sending, which the store then recomputes to check it (two more passes over the dump, one on each side of the
 * upload). Those uploads are instead verified by the parts' MD5 ETags, computed on a thread of their own while the
 * parts are sent ({@link S3ObjectStore}). The request is signed as over HTTPS (the scheme is not part of a SigV4
 * signature), which is what curl and the SDK itself send over HTTPS.
 */
final class UnsignedPayload implements AuthScheme<AwsCredentialsIdentity> {
    static final SdkPlugin PLUGIN = config -> ((S3ServiceClientConfiguration.Builder) config).putAuthScheme(new UnsignedPayload());

    private final AwsV4AuthScheme sigv4 = AwsV4AuthScheme.create();
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    @Override
    public String schemeId() {
        return AwsV4AuthScheme.SCHEME_ID;
    }

    @Override
    public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
        return sigv4.identityProvider(providers);
    }

    @Override
    public HttpSigner<AwsCredentialsIdentity> signer() {
        return new HttpSigner<>() {
            @Override
            public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
                SdkHttpRequest http = request.request();
                if ("https".equals(http.protocol())) {
                    return signer.sign(request.copy(b -> b.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)));
                }
                SignedRequest signed = signer.sign(request.copy(b -> b
                        .request(http.toBuilder().protocol("https").port(http.port()).build())
                        .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)));
                return signed.copy(b -> b.request(signed.request().toBuilder().protocol(http.protocol()).port(http.port()).build()));
            }

            @Override
            public CompletableFuture<AsyncSignedRequest> signAsync(AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
                return signer.signAsync(request);
            }
        };
    }
}
